#pragma once
// Command line: iputils ping's options, messages and exit codes. Parsing is pure: it never
// prints or exits, it returns what to print and the exit code for main to act on.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/invocation.hpp"
#include "uping/icmp.hpp"

namespace uping {

// -M: path MTU discovery (IP_MTU_DISCOVER / IPV6_MTU_DISCOVER).
enum class PmtuDiscovery : std::uint8_t { do_, dont, want, probe };
// -T: the IPv4 timestamp option's flavour (RFC 791 flags 0, 1, 3).
enum class TimestampOption : std::uint8_t { tsonly, tsandaddr, tsprespec };

struct Options {
  std::string program_name = "uping";  // argv[0] as invoked, prefixes every diagnostic
  std::optional<icmp::Family> family;  // -4 / -6, or implied by invoking as ping4 / ping6
  std::optional<std::uint64_t> count;  // -c: stop after this many probes (or replies with -w)
  double interval_seconds = 1.0;       // -i, truncated to whole milliseconds as iputils does
  bool interval_given = false;
  bool flood = false;                               // -f: '.' per probe; interval 0 unless -i is given
  bool adaptive = false;                            // -A: interval follows the round-trip time
  unsigned preload = 1;                             // -l: probes sent at once before pacing starts
  bool audible = false;                             // -a: a bell with each reply
  bool rtt_precision = false;                       // -3: reply times with three decimals, never rounded
  bool latency = false;                             // -U: times from user space, no kernel timestamps
  bool force_lookup = false;                        // -H: reverse lookups even for numeric targets / -f
  bool broadcast = false;                           // -b: allow a broadcast destination (SO_BROADCAST)
  bool strict_source = false;                       // -B: bind to the source address chosen at start
  bool connect_socket = false;                      // -C: connect() the socket to the destination
  bool so_debug = false;                            // -d: SO_DEBUG
  bool dont_route = false;                          // -r: SO_DONTROUTE (only directly attached hosts)
  bool no_loop = false;                             // -L: no multicast loopback
  std::optional<std::uint16_t> identifier;          // -e: echo identifier (datagram: the bound "port")
  std::optional<std::uint32_t> mark;                // -m: SO_MARK
  std::optional<PmtuDiscovery> pmtu;                // -M
  std::optional<int> tos;                           // -Q: IPv4 TOS / IPv6 traffic class (0 = leave alone)
  std::optional<std::uint32_t> flow_label;          // -F: IPv6 flow label (20 bits)
  std::optional<int> sndbuf;                        // -S: SO_SNDBUF
  bool record_route = false;                        // -R: IPv4 record-route option
  std::optional<TimestampOption> timestamp_option;  // -T
  std::vector<std::string> timestamp_hops;          // -T tsprespec: up to 4 addresses before the target
  std::vector<std::uint8_t> pattern;                // -p: fill bytes (up to 16), empty for iputils' default
  bool pattern_given = false;
  std::optional<std::string> node_info;           // -N: node information query (needs a raw socket)
  std::optional<std::uint64_t> deadline_seconds;  // -w; `-w 0` means no deadline in iputils: unset
  double linger_seconds = 10.0;                   // -W, truncated to whole milliseconds
  bool linger_given = false;
  std::size_t payload_size = 56;    // -s
  std::optional<int> ttl;           // -t
  std::string interface;            // -I: interface name or source address
  bool quiet = false;               // -q
  bool numeric = false;             // -n
  bool verbose = false;             // -v
  bool print_timestamps = false;    // -D
  bool report_outstanding = false;  // -O
  std::string target;
};

struct ParseResult {
  // Set when the run should go ahead; otherwise main prints `out` / `err` and exits `exit_code`.
  std::optional<Options> options;
  std::string out;  // for stdout (-V)
  // For stderr: "<prog>: invalid argument: ..." plus usage where iputils adds it. May be non-empty
  // even when `options` is set: iputils only warns about trailing garbage in -i / -W values
  // ("option argument contains garbage"), so main prints `err` before running in every case.
  std::string err;
  int exit_code = kExitOk;
};

// `real_uid_is_root` is what iputils checks while parsing (-l above 3 is refused to users).
ParseResult parse_command_line(const std::vector<std::string>& args, bool real_uid_is_root = false);

// Whether the command line is `-T tsprespec <hop>... <target>`: several operands that are one
// target and its prespecified timestamp hops, not a sweep.
bool timestamp_hops_requested(const std::vector<std::string>& args);

// The interval between probes in whole milliseconds, as iputils keeps it: -i truncated, or 0 for
// -f without -i.
int effective_interval_ms(const Options& options);

// Bytes of IPv4 options a run adds to each packet: 40 with -R or -T, else 0.
std::size_t ip_options_size(const Options& options);

// The usage text printed (on stderr, exit 2, as iputils does) by -h and after an unknown option,
// and on stdout by --help; it names the other modes a line each.
std::string usage_text(std::string_view program_name);

// The largest -s iputils accepts for a family: 65507 for IPv4 (65535 less IPv4 and ICMP headers),
// 65527 for IPv6. parse_command_line applies it when -4/-6 or a literal target fixes the family;
// for a host name it allows the IPv6 bound, as iputils does.
std::size_t max_payload_size(icmp::Family family);

// Limits iputils enforces on a non-root user (decided by the real uid), checked after the
// header is printed, as iputils does. Returns the message for stderr, without the program prefix.
// Covers -f / -i below 2 ms; the broadcast limits need the destination and are the engine's.
std::optional<std::string> user_limit_violation(const Options& options, bool real_uid_is_root);

}  // namespace uping
