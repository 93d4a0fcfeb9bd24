#pragma once
// fping 5.5's command line for the fping personality. Parsing is pure: it never prints or exits; it
// returns what fping would print and its exit code, in the order fping checks things (options one by
// one, left to right, then the checks after the loop, then the targets), so the first error wins as
// it does in fping. Socket side effects of fping's options (-I, -k, -O, -M, --print-*) are left to
// the caller: only the values are recorded here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uping::fping {

// fping's exit codes (doc/fping.pod): every parse error is 1; 3 and 4 come from later stages.
inline constexpr int kExitAllAlive = 0;
inline constexpr int kExitSomeUnreachable = 1;  // also every command-line error
inline constexpr int kExitAddressNotFound = 2;
inline constexpr int kExitInvalidArgument = 3;
inline constexpr int kExitSystemCall = 4;

enum class AddressFamily : std::uint8_t { any, ipv4, ipv6 };
// -D's format: fping's default (seconds since the epoch) or --timestamp-format's three names.
enum class TimestampFormat : std::uint8_t { epoch, ctime, iso, rfc3339 };
// Where the targets come from: operands, a file (-f, or "-" = stdin when nothing else is given), or -g.
enum class TargetSource : std::uint8_t { arguments, file, generated };

// fping 5.5's defaults (src/options.h, src/flags.c); every time in nanoseconds as fping keeps it.
struct FpingOptions {
  std::string program_name = "fping";         // argv[0] as invoked: fping prints it whole
  AddressFamily family = AddressFamily::any;  // -4 / -6, fping6 in argv[0], --icmp-timestamp

  // Modes.
  std::uint32_t count = 1;          // -c / -C: probes per target
  bool count_mode = false;          // -c or -C given
  bool report_all_rtts = false;     // -C: the per-target list of every time
  bool loop = false;                // -l
  std::uint32_t min_reachable = 0;  // -x / -X: exit 0 once this many targets answer
  bool fast_reachable = false;      // -X: stop as soon as min_reachable is met

  // Probing.
  std::uint32_t retry = 3;                // -r: retries in the default mode
  std::int64_t timeout_ns = 500'000'000;  // -t; in -c/-C/-l the period up to 2000 ms unless -t
  bool timeout_given = false;
  std::int64_t interval_ns = 10'000'000;   // -i: between any two probes
  std::int64_t period_ns = 1'000'000'000;  // -p: between probes to one target
  float backoff = 1.5F;                    // -B, kept a float as fping does (its checks round so)
  bool backoff_on = true;                  // off with -l
  std::uint32_t payload_size = 56;         // -b (12 with --icmp-timestamp)
  bool size_given = false;
  std::uint32_t ttl = 0;                            // -H (0 = leave the system's)
  std::optional<int> tos;                           // -O / --tos
  std::optional<std::uint32_t> fwmark;              // -k / --fwmark
  std::optional<std::string> interface;             // -I / --iface
  std::optional<std::string> source_ipv4;           // -S / --src, as given, when it parses as IPv4
  std::optional<std::string> source_ipv6;           // -S / --src, as given, when it parses as IPv6
  bool dont_fragment = false;                       // -M
  bool random_data = false;                         // -R
  bool multi_interface = false;                     // -m: every address of a name
  bool check_source = false;                        // --check-source
  bool icmp_timestamp = false;                      // --icmp-timestamp (needs a raw socket)
  std::int64_t seqmap_timeout_ns = 10'000'000'000;  // --seqmap-timeout

  // Output.
  bool alive = false;                                         // -a
  bool unreachable = false;                                   // -u
  bool show_address = false;                                  // -A
  bool rdns = false;                                          // -d
  bool name = false;                                          // -n
  bool elapsed = false;                                       // -e
  bool timestamp = false;                                     // -D
  TimestampFormat timestamp_format = TimestampFormat::epoch;  // --timestamp-format
  bool json = false;                                          // -J
  bool netdata = false;                                       // -N
  bool outage = false;                                        // -o
  bool quiet = false;                                         // -q, -Q
  std::int64_t report_interval_ns = 0;                        // -Q SECS (0 = none)
  bool cumulative = false;                                    // -Q SECS,cumulative
  bool stats = false;                                         // -s
  bool print_tos = false;                                     // --print-tos
  bool print_ttl = false;                                     // --print-ttl

  // Derived after the loop, as fping derives them.
  bool verbose = true;       // "host is alive" / "is unreachable" lines (default mode only)
  bool per_recv = false;     // a line per reply (-c / -C without -q, -l without -Q)
  std::uint32_t trials = 4;  // max(count, retry + 1)

  TargetSource target_source = TargetSource::file;
  std::string file = "-";            // -f (or "-", stdin, when nothing else names targets)
  std::vector<std::string> targets;  // operands, or -g's addresses in order
};

struct FpingParseResult {
  std::optional<FpingOptions> options;  // set when the run goes ahead
  std::string out;                      // for stdout (-h, -v)
  std::string err;                      // for stderr
  int exit_code = kExitAllAlive;
};

// `args` is argv, argv[0] included. `real_uid_is_root`: fping lifts its -p minimum for root.
FpingParseResult parse_fping_command_line(const std::vector<std::string>& args, bool real_uid_is_root = false);

// -h's text (usage.cpp): every option this parser accepts, one per line, fping's option syntax.
std::string fping_usage(std::string_view program_name);

// -v's line: fping's "Version" line that callers test, naming uping too.
std::string fping_version_line(std::string_view program_name);

}  // namespace uping::fping
