#pragma once
// The command line of `uping --monitor`: the targets to watch and how (interval, timeout,
// re-resolution), and where to report (--listen, --textfile, --json, text events on stdout).
// Pure: returns what to print and the exit code, never prints. docs/monitor.md is the reference.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/targets.hpp"
#include "monitor/allow_list.hpp"
#include "monitor/query.hpp"
#include "uping/icmp.hpp"

namespace uping::monitor {

inline constexpr int kExitStopped = 0;  // stopped by SIGTERM or SIGINT
inline constexpr int kExitError = 2;    // usage, unreadable --file at start, no socket, cannot listen

// --listen: a numeric address and a port ("127.0.0.1:9375", "[::1]:9375", ":9375" = every IPv4
// and IPv6 address). Names are refused: what a name resolves to must not decide where we listen.
struct ListenAddress {
  std::string address;  // numeric, without brackets; "::" for ":9375"
  std::uint16_t port = 0;
};

struct MonitorOptions {
  std::string program_name = "uping";
  std::vector<std::string> targets;           // positional: names or addresses
  std::vector<targets::AddressRange> ranges;  // -g / --generate
  std::optional<std::string> file;            // --file: re-read on SIGHUP (a path, not "-")
  std::optional<icmp::Family> family;         // -4 / -6
  std::chrono::microseconds interval{1'000'000};  // -i: between two probes to one target
  std::chrono::microseconds timeout{1'000'000};   // -W: a probe without answer by then is lost
  std::size_t payload_size = 56;                  // -s
  std::optional<int> ttl;                         // -t
  std::chrono::seconds resolve_every{300};        // --resolve-every: names looked up again
  std::optional<ListenAddress> listen;            // --listen: no HTTP server without it
  std::size_t max_connections = 64;               // --max-connections
  AllowList probe_allow;                          // --probe-allow CIDR (repeatable; empty: /probe is 403)
  std::size_t probe_max = 16;                     // --probe-max: /probe requests running at once
  ProbeLimits probe_limits;                       // count 1..100 (default 3), interval, timeout
  std::optional<std::string> textfile;            // --textfile PATH
  bool json = false;                              // --json: NDJSON events on stdout (else text lines)
  bool verbose = false;                           // -v: every reply and timeout as an event too
  std::uint32_t down_after = 3;                   // --down-after N consecutive losses
  std::uint32_t up_after = 2;                     // --up-after M consecutive replies
  std::chrono::seconds summary_every{60};         // --summary-every; 0: no periodic summary
};

struct MonitorParse {
  std::optional<MonitorOptions> options;
  std::string out;  // --help
  std::string err;  // one line "uping: --monitor: ..." on refusal
  int exit_code = kExitStopped;
};

// True when the command line holds --monitor (before a "--").
bool requested(const std::vector<std::string>& args);

MonitorParse parse_command_line(const std::vector<std::string>& args);

std::string help_text(const std::string& program);

}  // namespace uping::monitor
