#pragma once
// The command line of sweep mode: many targets, ranges, files, machine-readable output and
// reachability thresholds. Pure: returns what to print and the exit code, never prints.
//
// Sweep mode is chosen when the command line has more than one target or any option only sweeps
// have (requested()); a single plain target keeps the iputils-compatible path. iputils' options
// keep their meaning here (-c probes per target, -i seconds between probes to one target, -W
// seconds to wait for each reply, -w overall deadline, -s, -t, -q, -n, -4, -6); new features use
// long options or letters iputils leaves free (-g, -x, -X).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/targets.hpp"
#include "uping/icmp.hpp"

namespace uping::sweep {

inline constexpr int kAllReachable = 0;  // every target (or -x/-X N of them) answered
inline constexpr int kNotReachable = 1;
inline constexpr int kError = 2;  // usage, unreadable file, unresolvable target, no socket

enum class OutputFormat : std::uint8_t {
  text,         // reply lines and an iputils statistics block per target (-q: blocks only)
  json,         // --json: NDJSON, see docs/json.md
  alive,        // --alive: the targets that answered, one per line
  unreachable,  // --unreachable: the targets that did not, one per line
};

inline constexpr double kDefaultRate = 10'000;         // probes per second, all targets together
inline constexpr std::uint32_t kMaxCount = 1'000'000;  // -c per target
// -s: what fits one IPv6 datagram; an IPv4 one holds 20 bytes less (its header counts in its
// 65,535 bytes), so IPv4 targets are refused above that (at parse time with -4).
inline constexpr std::size_t kMaxPayloadSize = 65527;
inline constexpr std::size_t kMaxIpv4PayloadSize = 65507;

struct SweepOptions {
  std::string program_name = "uping";
  std::vector<std::string> targets;                   // positional: names or addresses
  std::vector<targets::AddressRange> ranges;          // -g / --generate
  std::optional<std::string> file;                    // --file, "-" for standard input
  std::optional<icmp::Family> family;                 // -4 / -6
  std::uint32_t count = 1;                            // -c: probes per target
  std::chrono::microseconds interval{1'000'000};      // -i: between probes to one target
  std::chrono::microseconds timeout{1'000'000};       // -W: wait for each reply
  std::optional<std::chrono::microseconds> deadline;  // -w: the whole run
  double rate = kDefaultRate;                         // --rate; 0: as fast as the sockets take them
  std::size_t payload_size = 56;                      // -s
  std::optional<int> ttl;                             // -t
  bool quiet = false;                                 // -q: no reply lines
  OutputFormat format = OutputFormat::text;
  std::optional<std::uint64_t> reachable;  // -x / -X: targets that must answer
  bool stop_when_reachable = false;        // -X
};

struct SweepParse {
  std::optional<SweepOptions> options;
  std::string out;  // --help
  std::string err;
  int exit_code = kAllReachable;
};

// True when the command line asks for sweep mode (see above). Scans like getopt, so that the
// value of an iputils option ("-c 3") is never taken for a target.
bool requested(const std::vector<std::string>& args);

SweepParse parse_command_line(const std::vector<std::string>& args);

std::string help_text(const std::string& program);

}  // namespace uping::sweep
