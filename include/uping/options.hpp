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
  double interval_seconds = 1.0;         // -i
  bool interval_given = false;
  std::optional<std::uint64_t> deadline_seconds;  // -w: overall deadline
  double linger_seconds = 10.0;          // -W: wait for a reply after the last probe
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
  std::string out;   // for stdout (-V, -h)
  std::string err;   // for stderr: "<prog>: invalid argument: ..." plus usage where iputils adds it
  int exit_code = kExitOk;
};

ParseResult parse_command_line(const std::vector<std::string>& args);

// The usage text printed by -h and after an unknown option.
std::string usage_text(std::string_view program_name);

// Limits iputils enforces on a non-root user (decided by the real uid), checked after the
// header is printed, as iputils does. Returns the message for stderr, without the program prefix.
std::optional<std::string> user_limit_violation(const Options& options, bool real_uid_is_root);

}  // namespace uping
