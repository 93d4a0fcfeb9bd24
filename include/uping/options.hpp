#pragma once
// Command line: iputils ping's options, messages and exit codes. Parsing is pure: it never
// prints or exits, it returns what to print and the exit code for main to act on.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uping/icmp.hpp"

namespace uping {

// iputils' exit codes.
inline constexpr int kExitOk = 0;          // a reply arrived (and, with -w and -c, enough of them)
inline constexpr int kExitNoReply = 1;     // no reply; also integer-parse and range errors
inline constexpr int kExitError = 2;       // usage, resolution, socket and system errors

struct Options {
  std::string program_name = "uping";    // argv[0] as invoked, prefixes every diagnostic
  std::optional<icmp::Family> family;    // -4 / -6, or implied by invoking as ping4 / ping6
  std::optional<std::uint64_t> count;    // -c: stop after this many probes (or replies with -w)
  double interval_seconds = 1.0;         // -i, truncated to whole milliseconds as iputils does
  bool interval_given = false;
  std::optional<std::uint64_t> deadline_seconds;  // -w; `-w 0` means no deadline in iputils: unset
  double linger_seconds = 10.0;          // -W, truncated to whole milliseconds
  bool linger_given = false;
  std::size_t payload_size = 56;         // -s
  std::optional<int> ttl;                // -t
  std::string interface;                 // -I: interface name or source address
  bool quiet = false;                    // -q
  bool numeric = false;                  // -n
  bool verbose = false;                  // -v
  bool print_timestamps = false;         // -D
  bool report_outstanding = false;       // -O
  std::string target;
};

struct ParseResult {
  // Set when the run should go ahead; otherwise main prints `out` / `err` and exits `exit_code`.
  std::optional<Options> options;
  std::string out;   // for stdout (-V)
  // For stderr: "<prog>: invalid argument: ..." plus usage where iputils adds it. May be non-empty
  // even when `options` is set: iputils only warns about trailing garbage in -i / -W values
  // ("option argument contains garbage"), so main prints `err` before running in every case.
  std::string err;
  int exit_code = kExitOk;
};

ParseResult parse_command_line(const std::vector<std::string>& args);

// The usage text printed (on stderr, exit 2, as iputils does) by -h and after an unknown option.
std::string usage_text(std::string_view program_name);

// The largest -s iputils accepts for a family: 65507 for IPv4 (65535 less IPv4 and ICMP headers),
// 65527 for IPv6. parse_command_line applies it when -4/-6 or a literal target fixes the family;
// for a host name it allows the IPv6 bound, as iputils does.
std::size_t max_payload_size(icmp::Family family);

// Limits iputils enforces on a non-root user (decided by the real uid), checked after the
// header is printed, as iputils does. Returns the message for stderr, without the program prefix.
std::optional<std::string> user_limit_violation(const Options& options, bool real_uid_is_root);

}  // namespace uping
