#include "fping/options.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "fping/generate.hpp"
#include "fping/option_table.hpp"
#include "uping/version.hpp"

namespace uping::fping {
namespace {

constexpr std::uint32_t kMaxPayload = 65535 - 20 - 8;          // fping's largest -b
constexpr double kMinPeriodMs = static_cast<float>(0.001);     // -p's floor for users, a float in fping
constexpr std::int64_t kAutotuneTimeoutMaxNs = 2'000'000'000;  // -c/-C/-l: timeout = period, at most this
constexpr std::uint32_t kIcmpTimestampPayload = 12;

// Thrown inside the parser only: the result fping would end with at that point.
struct Stop {
  FpingParseResult result;
};

class Parser {
 public:
  Parser(std::string program_name, bool root) : root_(root) { options_.program_name = std::move(program_name); }

  [[noreturn]] void usage_error() const {
    throw Stop{{std::nullopt, "", fping_usage(options_.program_name), kExitSomeUnreachable}};
  }
  [[noreturn]] void fail(const std::string& text) const {
    throw Stop{{std::nullopt, "", options_.program_name + ": " + text + "\n", kExitSomeUnreachable}};
  }
  [[noreturn]] void option_error(const char* what, std::string_view subject) const {
    throw Stop{{std::nullopt, "",
                options_.program_name + ": " + what + " -- '" + std::string(subject) + "'\n" +
                    "see 'fping -h' for usage information\n",
                kExitSomeUnreachable}};
  }

  // fping's strtoul_strict: leading blanks skipped, no minus sign, all digits, no overflow.
  unsigned long unsigned_value(const std::string& text, int base) const {
    std::size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start])) != 0) ++start;
    if (start < text.size() && text[start] == '-') usage_error();
    const char* begin = text.c_str() + start;
    char* end = nullptr;
    errno = 0;
    const unsigned long value = std::strtoul(begin, &end, base);
    if (errno != 0 || end == begin || *end != '\0') usage_error();
    return value;
  }

  // fping's strtod_strict: a whole number or decimal, not negative, in range.
  double double_value(const std::string& text) const {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(begin, &end);
    if (errno != 0 || end == begin || *end != '\0' || value < 0) usage_error();
    return value;
  }

  // Milliseconds to fping's int64 nanoseconds. fping's conversion of inf/nan is undefined in C;
  // here it saturates (nan: 0).
  static std::int64_t ms_to_ns(double ms) { return seconds_scaled(ms, 1e6); }
  static std::int64_t seconds_scaled(double value, double scale) {
    const double ns = value * scale;
    if (std::isnan(ns)) return 0;
    if (ns >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
    return static_cast<std::int64_t>(ns);
  }

  void set_family(AddressFamily wanted, const char* conflict) {
    if (options_.family != AddressFamily::any && options_.family != wanted) fail(conflict);
    options_.family = wanted;
  }

  // One option, as fping applies it: -h and -v end the parse at once.
  void apply(const OptionSpec& spec, std::string_view long_text, const std::string& value) {
    auto& o = options_;
    switch (spec.short_name) {
      case '\0':
        apply_long_only(long_text, value);
        break;
      case '4':
        set_family(AddressFamily::ipv4, "can't specify both -4 and -6");
        break;
      case '6':
        set_family(AddressFamily::ipv6, "can't specify both -4 and -6");
        break;
      case 'M':
        o.dont_fragment = true;
        break;
      case 't':
        o.timeout_ns = ms_to_ns(double_value(value));
        o.timeout_given = true;
        break;
      case 'r':
        o.retry = static_cast<std::uint32_t>(unsigned_value(value, 10));
        break;
      case 'i':
        o.interval_ns = ms_to_ns(double_value(value));
        break;
      case 'p':
        o.period_ns = ms_to_ns(double_value(value));
        break;
      case 'c':
      case 'C':
        o.count = static_cast<std::uint32_t>(unsigned_value(value, 10));
        if (o.count == 0) usage_error();
        o.count_mode = true;
        if (spec.short_name == 'C') o.report_all_rtts = true;
        break;
      case 'b':
        o.payload_size = static_cast<std::uint32_t>(unsigned_value(value, 10));
        o.size_given = true;
        break;
      case 'h':
        throw Stop{{std::nullopt, fping_usage(o.program_name), "", kExitAllAlive}};
      case 'q':
        o.verbose = false;
        o.quiet = true;
        break;
      case 'Q':
        squiet(value);
        break;
      case 'e':
        o.elapsed = true;
        break;
      case 'm':
        o.multi_interface = true;
        break;
      case 'N':
        o.netdata = true;
        break;
      case 'n':
        o.name = true;
        if (o.rdns) fail("use either one of -d or -n");
        break;
      case 'd':
        o.rdns = true;
        if (o.name) fail("use either one of -d or -n");
        break;
      case 'A':
        o.show_address = true;
        break;
      case 'B':
        o.backoff = static_cast<float>(double_value(value));
        break;
      case 's':
        o.stats = true;
        break;
      case 'D':
        o.timestamp = true;
        break;
      case 'R':
        o.random_data = true;
        break;
      case 'l':
        o.loop = true;
        o.backoff_on = false;
        break;
      case 'u':
        o.unreachable = true;
        break;
      case 'a':
        o.alive = true;
        break;
      case 'H':
        o.ttl = static_cast<std::uint32_t>(unsigned_value(value, 10));
        if (o.ttl == 0) usage_error();
        break;
      case 'v':
        throw Stop{{std::nullopt, fping_version_line(o.program_name), "", kExitAllAlive}};
      case 'x':
      case 'X':
        o.min_reachable = static_cast<std::uint32_t>(unsigned_value(value, 10));
        if (o.min_reachable == 0) usage_error();
        if (spec.short_name == 'X') o.fast_reachable = true;
        break;
      case 'f':
        file_ = value;
        break;
      case 'k':
        o.fwmark = static_cast<std::uint32_t>(unsigned_value(value, 10));
        if (*o.fwmark == 0) usage_error();
        break;
      case 'g':
        generate_ = true;
        break;
      case 'S':
        source(value);
        break;
      case 'I':
        o.interface = value;
        break;
      case 'J':
        o.json = true;
        break;
      case 'T':
        break;  // accepted and ignored, as fping does ("select timeout" means nothing now)
      case 'O': {
        const unsigned long tos = unsigned_value(value, 0);  // base 0: 0x10 and 020 too
        if (tos > 255) usage_error();
        o.tos = static_cast<int>(tos);
        break;
      }
      case 'o':
        o.outage = true;
        break;
      default:
        break;
    }
  }

  // fping tells its long-only options apart by searching the whole argument ("name=value") for each
  // name in turn; the same order keeps its answer to odd spellings such as --seqmap-timeout=check-source.
  void apply_long_only(std::string_view text, const std::string& value) {
    auto& o = options_;
    auto mentions = [&](std::string_view name) { return text.find(name) != std::string_view::npos; };
    if (mentions("timestamp-format")) {
      if (value == "ctime") o.timestamp_format = TimestampFormat::ctime;
      else if (value == "iso") o.timestamp_format = TimestampFormat::iso;
      else if (value == "rfc3339") o.timestamp_format = TimestampFormat::rfc3339;
      else usage_error();
    } else if (mentions("check-source")) {
      o.check_source = true;
    } else if (mentions("icmp-timestamp")) {
      if (o.family != AddressFamily::any && o.family != AddressFamily::ipv4) fail("ICMP Timestamp is IPv4 only");
      o.family = AddressFamily::ipv4;
      o.icmp_timestamp = true;
      o.payload_size = kIcmpTimestampPayload;
    } else if (mentions("print-tos")) {
      o.print_tos = true;
    } else if (mentions("print-ttl")) {
      o.print_ttl = true;
    } else if (mentions("seqmap-timeout")) {
      o.seqmap_timeout_ns = ms_to_ns(double_value(value));
    } else {
      usage_error();
    }
  }

  // -Q SECS[,cumulative]: the number may end at a comma; only the exact word "cumulative" counts.
  void squiet(const std::string& value) {
    auto& o = options_;
    o.verbose = false;
    o.quiet = true;
    const char* begin = value.c_str();
    char* end = nullptr;
    errno = 0;
    const double seconds = std::strtod(begin, &end);
    if (errno != 0 || end == begin || (*end != '\0' && *end != ',')) usage_error();
    if (seconds < 0) usage_error();
    o.report_interval_ns = seconds_scaled(seconds, 1e9);
    const std::size_t comma = value.find(',');
    if (comma != std::string::npos && value.compare(comma + 1, std::string::npos, "cumulative") == 0) {
      o.cumulative = true;
    }
  }

  // -S: IPv4 first, then IPv6; the last of each family given wins.
  void source(const std::string& value) {
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, value.c_str(), &v4) == 1) {
      options_.source_ipv4 = value;
    } else if (inet_pton(AF_INET6, value.c_str(), &v6) == 1) {
      options_.source_ipv6 = value;
    } else {
      fail("can't parse source address: " + value);
    }
  }

  // fping's checks after the option loop, in its order, then what it derives from the options.
  void check_and_derive() {
    auto& o = options_;
    if (o.ttl > 255) fail("ttl " + std::to_string(o.ttl) + " out of range");
    if (o.unreachable && o.alive) fail("specify only one of a, u");
    if (o.count_mode && o.loop) fail("specify only one of c, l");
    if (o.json && !o.count_mode && !o.loop) fail("option -J, --json requires -c, -C, or -l");
    // fping compares the int64 nanoseconds with a float: the same float arithmetic here.
    if (!root_ && static_cast<float>(o.period_ns) < static_cast<float>(kMinPeriodMs) * 1000000.0F) {
      fail("-p must be >= 0.001");
    }
    if (o.payload_size > kMaxPayload) {
      fail("data size " + std::to_string(o.payload_size) + " not valid, must not be larger than " +
           std::to_string(kMaxPayload));
    }
    if (o.backoff > 5.0F || o.backoff < 1.0F) {
      char text[96];
      std::snprintf(text, sizeof text, "backoff factor %.1f not valid, must be between 1.0 and 5.0",
                    static_cast<double>(o.backoff));
      fail(text);
    }
    if (o.icmp_timestamp && o.size_given) fail("cannot change ICMP Timestamp size");

    if (o.count_mode) {
      o.per_recv = o.verbose;
      o.alive = o.unreachable = o.verbose = false;
    }
    if (o.loop) {
      if (o.report_interval_ns == 0) o.per_recv = true;
      o.alive = o.unreachable = o.verbose = false;
    }
    if (o.alive || o.unreachable || o.min_reachable != 0) o.verbose = false;
    o.trials = o.count > o.retry + 1 ? o.count : o.retry + 1;
    if ((o.loop || o.count_mode) && !o.timeout_given) {
      o.timeout_ns = o.period_ns < kAutotuneTimeoutMaxNs ? o.period_ns : kAutotuneTimeoutMaxNs;
    }
  }

  // Targets: operands, -f, or -g; never two of them; stdin when none.
  void targets(const std::vector<std::string>& operands) {
    auto& o = options_;
    const bool have_file = file_.has_value();
    if ((!operands.empty() && have_file) || (have_file && generate_) || (generate_ && operands.empty())) {
      usage_error();
    }
    if (generate_) {
      if (operands.size() > 2) usage_error();
      Generated generated = operands.size() == 1 ? generate_cidr(o.program_name, operands[0], o.family)
                                                 : generate_range(o.program_name, operands[0], operands[1], o.family);
      if (generated.usage) usage_error();
      if (!generated.err.empty()) throw Stop{{std::nullopt, "", generated.err, kExitSomeUnreachable}};
      // A range that generates nothing leaves fping without a target: it exits 1 without a word.
      if (generated.addresses.empty()) throw Stop{{std::nullopt, "", "", kExitSomeUnreachable}};
      o.target_source = TargetSource::generated;
      o.targets = std::move(generated.addresses);
    } else if (!operands.empty()) {
      o.target_source = TargetSource::arguments;
      o.targets = operands;
    } else {
      o.target_source = TargetSource::file;
      o.file = file_.value_or("-");
    }
  }

  FpingOptions& options() { return options_; }

 private:
  FpingOptions options_;
  bool root_;
  std::optional<std::string> file_;
  bool generate_ = false;
};

}  // namespace

FpingParseResult parse_fping_command_line(const std::vector<std::string>& args, bool real_uid_is_root) {
  Parser parser(args.empty() ? std::string("fping") : args[0], real_uid_is_root);
  // Invoked as fping6 (anywhere in argv[0], as fping's strstr), -6 is implied.
  if (parser.options().program_name.find("fping6") != std::string::npos) {
    parser.options().family = AddressFamily::ipv6;
  }
  try {
    std::vector<std::string> operands;
    std::size_t index = 1;
    while (index < args.size()) {
      const std::string& arg = args[index++];
      if (arg == "--") {  // the rest are operands, whatever they look like
        operands.insert(operands.end(), args.begin() + static_cast<std::ptrdiff_t>(index), args.end());
        break;
      }
      if (arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
        const std::string_view text = std::string_view(arg).substr(2);
        const OptionSpec* spec = find_long(text);
        if (spec == nullptr) parser.option_error("invalid option", text);
        const std::size_t equals = text.find('=');
        std::string value;
        if (equals != std::string_view::npos) {
          if (spec->argument == Argument::none) parser.option_error("option takes no arguments", spec->long_name);
          value = std::string(text.substr(equals + 1));
        } else if (spec->argument == Argument::required) {
          if (index >= args.size()) parser.option_error("option requires an argument", spec->long_name);
          value = args[index++];
        }
        parser.apply(*spec, text, value);
        continue;
      }
      if (arg.size() < 2 || arg[0] != '-') {  // "-" alone is an operand too
        operands.push_back(arg);
        continue;
      }
      // A cluster of short options; one that takes a value takes the rest, or the next argument.
      for (std::size_t at = 1; at < arg.size(); ++at) {
        const char name = arg[at];
        const OptionSpec* spec = find_short(name);
        if (spec == nullptr) parser.option_error("invalid option", std::string(1, name));
        if (spec->argument == Argument::none) {
          parser.apply(*spec, {}, {});
          continue;
        }
        std::string value;
        if (at + 1 < arg.size()) {
          value = arg.substr(at + 1);
        } else if (index < args.size()) {
          value = args[index++];
        } else {
          parser.option_error("option requires an argument", std::string(1, name));
        }
        parser.apply(*spec, {}, value);
        break;
      }
    }
    parser.check_and_derive();
    parser.targets(operands);
  } catch (Stop& stop) {
    return std::move(stop.result);
  }
  return {std::move(parser.options()), "", "", kExitAllAlive};
}

std::string fping_version_line(std::string_view program_name) {
  return std::string(program_name) + ": Version 5.5 (uping " + kVersion + ")\n";
}

}  // namespace uping::fping
