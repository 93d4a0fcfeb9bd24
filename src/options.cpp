#include "uping/options.hpp"

#include <arpa/inet.h>
#include <locale.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include <CLI/CLI.hpp>

#include "uping/version.hpp"

// Parsing happens in two steps. A scan with glibc getopt's rules finds where getopt would stop
// (an unknown option letter, a missing argument, -h) and which letter it would name; CLI11 then
// parses the arguments before that point, and its parse order lets each value be checked in the
// order iputils checks it, so the first error reported is the one iputils would report.

namespace uping {
namespace {

constexpr std::string_view kFlagLetters = "46qnvVDO";
constexpr std::string_view kValueLetters = "ciWwstI";
constexpr std::string_view kHelpLetters = "h?";

// iputils: ICMP_MAX_DATALEN and ICMPV6_MAX_DATALEN (MAXPACKET is 65535).
constexpr std::size_t kMaxIpPacket = 65535;
constexpr std::size_t kMaxPayloadV4 = kMaxIpPacket - icmp::kIpv4MinHeaderSize - icmp::kHeaderSize;
constexpr std::size_t kMaxPayloadV6 = kMaxIpPacket - icmp::kHeaderSize;

constexpr int kMinUserIntervalMs = 2;  // iputils' MIN_USER_INTERVAL_MS

std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Where getopt would stop parsing, and why.
enum class Stop { none, unknown_option, missing_argument, help };

struct GetoptScan {
  std::vector<std::string> accepted;  // the arguments getopt would consume before stopping
  Stop stop = Stop::none;
  char letter = '\0';
};

// Walks the arguments as glibc getopt does with permutation: clusters of letters after '-',
// a value either glued to its letter or in the next argument (whatever it looks like), "--" ends
// the options, "-" alone is an operand.
GetoptScan scan_like_getopt(const std::vector<std::string>& args) {
  GetoptScan scan;
  bool options_ended = false;
  for (std::size_t index = 1; index < args.size(); ++index) {
    const std::string& arg = args[index];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      scan.accepted.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      scan.accepted.push_back(arg);
      continue;
    }
    bool value_in_next_argument = false;
    for (std::size_t pos = 1; pos < arg.size(); ++pos) {
      const char letter = arg[pos];
      const auto stop_here = [&](Stop why) {
        if (pos > 1) scan.accepted.push_back(arg.substr(0, pos));
        scan.stop = why;
        scan.letter = letter;
        return scan;
      };
      if (kHelpLetters.find(letter) != std::string_view::npos) return stop_here(Stop::help);
      if (kFlagLetters.find(letter) != std::string_view::npos) continue;
      if (kValueLetters.find(letter) == std::string_view::npos) {
        return stop_here(Stop::unknown_option);
      }
      if (pos + 1 < arg.size()) break;  // the rest of the cluster is the value
      if (index + 1 >= args.size()) return stop_here(Stop::missing_argument);
      value_in_next_argument = true;  // taken whatever it looks like, "--" and "-x" included
    }
    scan.accepted.push_back(arg);
    if (value_in_next_argument) scan.accepted.push_back(args[++index]);
  }
  return scan;
}

// An error as iputils reports it: the message (without the program prefix) and the exit code.
struct Failure {
  std::string message;
  int exit_code;
};

// iputils' strtol_or_err: base 10, leading blanks and sign allowed, nothing after the digits.
std::variant<long long, Failure> parse_integer(const std::string& text, long long min,
                                               long long max) {
  const std::string quoted = "invalid argument: '" + text + "'";
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE) return Failure{quoted + ": " + std::strerror(ERANGE), kExitNoReply};
  if (end == text.c_str() || *end != '\0') return Failure{quoted, kExitNoReply};
  if (value < min || value > max) {
    return Failure{quoted + ": out of range: " + std::to_string(min) + " <= value <= " +
                       std::to_string(max),
                   kExitNoReply};
  }
  return value;
}

// strtod in the C locale, whatever the user's locale: "0.5" must mean half a second everywhere.
double strtod_c_locale(const char* text, char** end) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
  return strtod_l(text, end, c_locale);
}

// iputils' ping_strtod and the range check after it, for -i and -W (seconds, kept as whole
// milliseconds). Trailing garbage only earns warnings and the value parsed so far is used, as in
// iputils; an empty, infinite, NaN, negative or too large value is fatal (exit 2).
std::variant<int, Failure> parse_seconds_as_ms(const std::string& text, std::string_view what,
                                               std::string_view program, std::string& warnings) {
  const std::string prefix = std::string(what) + ": " + text;
  if (text.empty()) {
    // iputils appends strerror of a stale errno here; with its usual locale setup that errno is
    // ENOENT, which is what Debian's ping prints.
    return Failure{prefix + ": " + std::strerror(ENOENT), kExitError};
  }
  char* end = nullptr;
  errno = 0;
  const double seconds = strtod_c_locale(text.c_str(), &end);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    warnings += std::string(program) + ": option argument contains garbage: " + end + "\n";
    warnings += std::string(program) + ": this will become fatal error in the future\n";
  }
  const int kind = std::fpclassify(seconds);
  if (kind != FP_NORMAL && kind != FP_ZERO) {
    return Failure{prefix + ": " + std::strerror(ERANGE), kExitError};
  }
  if (std::isless(seconds, 0.0) || std::isgreater(seconds, static_cast<double>(INT_MAX) / 1000)) {
    return Failure{prefix, kExitError};
  }
  return static_cast<int>(seconds * 1000);
}

bool is_ipv4_literal(const std::string& text) {
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool is_ipv6_literal(const std::string& text) {
  in6_addr address{};
  return inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

ParseResult failed(const Options& options, const std::string& warnings, const Failure& failure) {
  ParseResult result;
  result.err = warnings + options.program_name + ": " + failure.message + "\n";
  result.exit_code = failure.exit_code;
  return result;
}

ParseResult usage_failure(const Options& options, const std::string& warnings,
                          const std::string& message) {
  ParseResult result;
  result.err = warnings + message + usage_text(options.program_name);
  result.exit_code = kExitError;
  return result;
}

// Applies one occurrence of an option, in command-line order. Returns a failure to stop at.
std::optional<Failure> apply_option(char letter, const std::string& value, Options& options,
                                    std::string& warnings) {
  const auto set_family = [&](icmp::Family wanted) -> std::optional<Failure> {
    if (options.family && *options.family != wanted) {
      return Failure{"only one -4 or -6 option may be specified", kExitError};
    }
    options.family = wanted;
    return std::nullopt;
  };
  switch (letter) {
    case '4': return set_family(icmp::Family::v4);
    case '6': return set_family(icmp::Family::v6);
    case 'q': options.quiet = true; return std::nullopt;
    case 'n': options.numeric = true; return std::nullopt;
    case 'v': options.verbose = true; return std::nullopt;
    case 'D': options.print_timestamps = true; return std::nullopt;
    case 'O': options.report_outstanding = true; return std::nullopt;
    case 'c': {
      auto parsed = parse_integer(value, 1, LLONG_MAX);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      options.count = static_cast<std::uint64_t>(std::get<long long>(parsed));
      return std::nullopt;
    }
    case 'w': {
      auto parsed = parse_integer(value, 0, INT_MAX);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      const auto seconds = std::get<long long>(parsed);
      // iputils treats a zero deadline as none at all.
      if (seconds == 0) {
        options.deadline_seconds.reset();
      } else {
        options.deadline_seconds = static_cast<std::uint64_t>(seconds);
      }
      return std::nullopt;
    }
    case 's': {
      // Only the integer range here; the packet size limit needs the target, checked at the end.
      auto parsed = parse_integer(value, 0, INT_MAX);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      options.payload_size = static_cast<std::size_t>(std::get<long long>(parsed));
      return std::nullopt;
    }
    case 't': {
      auto parsed = parse_integer(value, 0, 255);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      options.ttl = static_cast<int>(std::get<long long>(parsed));
      return std::nullopt;
    }
    case 'i':
    case 'W': {
      const bool interval = letter == 'i';
      auto parsed = parse_seconds_as_ms(value, interval ? "bad timing interval" : "bad linger time",
                                        options.program_name, warnings);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      const double seconds = std::get<int>(parsed) / 1000.0;
      if (interval) {
        options.interval_seconds = seconds;
        options.interval_given = true;
      } else {
        options.linger_seconds = seconds;
        options.linger_given = true;
      }
      return std::nullopt;
    }
    case 'I': {
      // As iputils: anything with a colon must be an IPv6 source address, optionally %scope.
      if (value.find(':') != std::string::npos &&
          !is_ipv6_literal(value.substr(0, value.find('%')))) {
        return Failure{"invalid source address: " + value, kExitError};
      }
      options.interface = value;
      return std::nullopt;
    }
    default:
      return Failure{"internal error: unhandled option -" + std::string(1, letter), kExitError};
  }
}

}  // namespace

std::size_t max_payload_size(icmp::Family family) {
  return family == icmp::Family::v4 ? kMaxPayloadV4 : kMaxPayloadV6;
}

ParseResult parse_command_line(const std::vector<std::string>& args) {
  Options options;
  if (!args.empty() && !args[0].empty()) options.program_name = args[0];
  const std::string_view invoked_as = basename_of(options.program_name);
  if (invoked_as == "ping4" || invoked_as == "uping4") options.family = icmp::Family::v4;
  if (invoked_as == "ping6" || invoked_as == "uping6") options.family = icmp::Family::v6;

  const GetoptScan scan = scan_like_getopt(args);

  CLI::App app;
  app.set_help_flag();  // -h is ping's, handled like iputils (usage on stderr, exit 2)
  std::map<const CLI::Option*, char> letter_of;
  for (const char letter : kFlagLetters) {
    letter_of[app.add_flag(std::string{'-', letter})] = letter;
  }
  for (const char letter : kValueLetters) {
    // Values stay strings: iputils' own conversions decide what is valid and what is said.
    letter_of[app.add_option(std::string{'-', letter})->type_size(1)->take_all()] = letter;
  }
  std::vector<std::string> operands;
  app.add_option("destination", operands);

  try {
    std::vector<std::string> reversed(scan.accepted.rbegin(), scan.accepted.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    // The scan above only hands CLI11 arguments getopt accepts, so this is not expected; never
    // let CLI11's own words or exit codes through.
    return usage_failure(options, "", "");
  }

  std::string warnings;
  std::map<const CLI::Option*, std::size_t> occurrences_seen;
  for (const CLI::Option* option : app.parse_order()) {
    const auto known = letter_of.find(option);
    if (known == letter_of.end()) continue;  // the destination operand
    const char letter = known->second;
    if (letter == 'V') {
      ParseResult result;
      // iputils prints "ping from iputils <version>"; same shape, named as invoked.
      result.out = std::string(basename_of(options.program_name)) + " from uping " + kVersion;
      result.out += "\n";
      result.err = warnings;
      result.exit_code = kExitOk;
      return result;
    }
    std::string value;
    if (kValueLetters.find(letter) != std::string_view::npos) {
      value = option->results().at(occurrences_seen[option]++);
    }
    if (auto failure = apply_option(letter, value, options, warnings)) {
      return failed(options, warnings, *failure);
    }
  }

  switch (scan.stop) {
    case Stop::none: break;
    case Stop::help: return usage_failure(options, warnings, "");
    case Stop::unknown_option:
      return usage_failure(options, warnings,
                           options.program_name + ": invalid option -- '" + scan.letter + "'\n");
    case Stop::missing_argument:
      return usage_failure(
          options, warnings,
          options.program_name + ": option requires an argument -- '" + scan.letter + "'\n");
  }

  if (operands.empty()) {
    return failed(options, warnings,
                  {std::string("usage error: ") + std::strerror(EDESTADDRREQ), kExitError});
  }
  // iputils reads extra operands as IPv4 source-route hops; uping has no source routing, and
  // iputils answers hop lists it cannot use with its usage text.
  if (operands.size() > 1) return usage_failure(options, warnings, "");
  options.target = operands.front();

  // iputils' packet size check: the family from -4/-6, overridden by a literal target; for a
  // host name the larger (IPv6) bound.
  std::size_t max_size = kMaxPayloadV6;
  if (options.family) max_size = max_payload_size(*options.family);
  if (is_ipv4_literal(options.target)) max_size = kMaxPayloadV4;
  else if (is_ipv6_literal(options.target)) max_size = kMaxPayloadV6;
  if (options.payload_size > max_size) {
    return failed(options, warnings,
                  {"invalid -s value: '" + std::to_string(options.payload_size) +
                       "': out of range: 0 <= value <= " + std::to_string(max_size),
                   kExitNoReply});
  }

  ParseResult result;
  result.options = std::move(options);
  result.err = warnings;
  return result;
}

std::string usage_text(std::string_view program_name) {
  std::string text = "\nUsage\n  ";
  text += basename_of(program_name);
  text +=
      " [options] <destination>\n"
      "\n"
      "Options:\n"
      "  <destination>      host name or IP address to probe\n"
      "  -4                 IPv4 only\n"
      "  -6                 IPv6 only\n"
      "  -c <count>         send <count> probes, then stop\n"
      "  -D                 prefix each line with a Unix timestamp\n"
      "  -h                 show this help\n"
      "  -I <interface>     send from this interface or source address\n"
      "  -i <interval>      seconds between probes (default 1)\n"
      "  -n                 numeric output, no reverse lookups\n"
      "  -O                 report probes still unanswered when the next one goes out\n"
      "  -q                 quiet: only the header and the statistics\n"
      "  -s <size>          payload bytes per probe (default 56)\n"
      "  -t <ttl>           IP time to live / IPv6 hop limit\n"
      "  -v                 verbose output\n"
      "  -V                 show the version\n"
      "  -w <deadline>      stop after <deadline> seconds whatever was received\n"
      "  -W <timeout>       seconds to wait for a reply\n"
      "\n"
      "See uping(8).\n";
  return text;
}

std::optional<std::string> user_limit_violation(const Options& options, bool real_uid_is_root) {
  if (real_uid_is_root) return std::nullopt;
  // iputils compares whole milliseconds; the small bias keeps 0.002 from becoming 1.999... ms.
  const auto interval_ms =
      static_cast<long long>(std::floor(options.interval_seconds * 1000.0 + 1e-6));
  if (interval_ms < kMinUserIntervalMs) {
    return "cannot flood, minimal interval for user must be >= 2 ms, use -i 0.002 (or higher)";
  }
  return std::nullopt;
}

}  // namespace uping
