#include "ping/options.hpp"

#include <arpa/inet.h>
#include <locale.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <variant>

#include "ping/getopt_scan.hpp"
#include "ping/gnu_options.hpp"
#include "ping/option_values.hpp"

// Parsing follows glibc getopt's rules: options are applied in the order getopt returns them, so
// the first error reported is the one iputils would report, and parsing stops where getopt would
// (an unknown option letter, a missing argument, -h), naming the same letter.

namespace uping {
namespace {

using option_values::Failure;
using option_values::parse_hex_or_decimal;
using option_values::parse_integer;
using option_values::parse_pattern;
using option_values::parse_seconds_as_ms;
using option_values::store_integer;

// iputils: ICMP_MAX_DATALEN and ICMPV6_MAX_DATALEN (MAXPACKET is 65535).
constexpr std::size_t kMaxIpPacket = 65535;
constexpr std::size_t kMaxPayloadV4 = kMaxIpPacket - icmp::kIpv4MinHeaderSize - icmp::kHeaderSize;
constexpr std::size_t kMaxPayloadV6 = kMaxIpPacket - icmp::kHeaderSize;

constexpr int kMinUserIntervalMs = 2;     // iputils' MIN_USER_INTERVAL_MS
constexpr long long kMaxPreload = 65536;  // iputils' MAX_DUP_CHK
constexpr long long kMaxUserPreload = 3;
constexpr std::size_t kIpOptionsSize = 40;    // room iputils reserves for -R / -T
constexpr std::size_t kMaxTimestampHops = 4;  // -T tsprespec: 4 + 4 * 8 bytes fit in those 40

// -N's sub-options (iputils' niquery_option_handler); the ones ending in '=' take a value.
constexpr std::array<std::string_view, 14> kNodeInfoQueries = {
    "help",           "name", "ipv6",     "ipv6-all",      "ipv6-compatible", "ipv6-global",   "ipv6-linklocal",
    "ipv6-sitelocal", "ipv4", "ipv4-all", "subject-ipv6=", "subject-ipv4=",   "subject-name=", "subject-fqdn="};

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
  if (failure.to_stdout) {
    result.out = failure.message;
    result.err = warnings;
    result.exit_code = failure.exit_code;
    return result;
  }
  result.err = warnings + (failure.bare ? failure.message : options.program_name + ": " + failure.message + "\n");
  result.exit_code = failure.exit_code;
  return result;
}

ParseResult usage_failure(const Options& options, const std::string& warnings, const std::string& message) {
  ParseResult result;
  result.err = warnings + message + usage_text(options.program_name);
  result.exit_code = kExitError;
  return result;
}

// What iputils prints for -N help (and for an unknown -N argument), word for word: a list of
// the sub-option names, with the program always called "ping".
std::string node_info_help() {
  return "ping -6 -N <nodeinfo opt>\n"
         "Help:\n  help\n"
         "Query:\n  name\n  ipv6\n  ipv6-all\n  ipv6-compatible\n  ipv6-global\n  ipv6-linklocal\n"
         "  ipv6-sitelocal\n  ipv4\n  ipv4-all\n"
         "Subject:\n  subject-ipv6=addr\n  subject-ipv4=addr\n  subject-name=name\n  subject-fqdn=name\n";
}

std::string hex_byte(std::uint8_t byte) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  return {kDigits[byte >> 4], kDigits[byte & 0xF]};
}

// Applies one occurrence of an option, in command-line order. Returns a failure to stop at.
std::optional<Failure> apply_option(char letter, const std::string& value, Options& options, std::string& warnings,
                                    std::string& out, bool real_uid_is_root) {
  const auto set_family = [&](icmp::Family wanted) -> std::optional<Failure> {
    if (options.family && *options.family != wanted) {
      return Failure{"only one -4 or -6 option may be specified", kExitError};
    }
    options.family = wanted;
    return std::nullopt;
  };
  switch (letter) {
    case '4':
      return set_family(icmp::Family::v4);
    case '6':
      return set_family(icmp::Family::v6);
    case 'q':
      options.quiet = true;
      return std::nullopt;
    case 'n':
      options.numeric = true;
      options.force_lookup = false;
      return std::nullopt;
    case 'H':
      options.force_lookup = true;
      return std::nullopt;
    case 'f':
      options.flood = true;
      options.numeric = true;  // iputils: no lookups during a flood (-H still forces them)
      return std::nullopt;
    case '3':
      options.rtt_precision = true;
      return std::nullopt;
    case 'a':
      options.audible = true;
      return std::nullopt;
    case 'A':
      options.adaptive = true;
      return std::nullopt;
    case 'b':
      options.broadcast = true;
      return std::nullopt;
    case 'B':
      options.strict_source = true;
      return std::nullopt;
    case 'C':
      options.connect_socket = true;
      return std::nullopt;
    case 'd':
      options.so_debug = true;
      return std::nullopt;
    case 'L':
      options.no_loop = true;
      return std::nullopt;
    case 'r':
      options.dont_route = true;
      return std::nullopt;
    case 'U':
      options.latency = true;
      return std::nullopt;
    case 'R':
      if (options.timestamp_option) return Failure{"only one of -T or -R may be used", kExitError};
      options.record_route = true;
      return std::nullopt;
    case 'T': {
      if (options.record_route) return Failure{"only one of -T or -R may be used", kExitError};
      if (value == "tsonly") options.timestamp_option = TimestampOption::tsonly;
      else if (value == "tsandaddr") options.timestamp_option = TimestampOption::tsandaddr;
      else if (value == "tsprespec") options.timestamp_option = TimestampOption::tsprespec;
      else return Failure{"invalid timestamp type: " + value, kExitError};
      return std::nullopt;
    }
    case 'e':
      return store_integer(value, 0, 65535, options.identifier);
    case 'l': {
      auto parsed = parse_integer(value, 1, kMaxPreload);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      const auto preload = std::get<long long>(parsed);
      if (!real_uid_is_root && preload > kMaxUserPreload) {
        return Failure{"cannot set preload to value greater than 3: " + std::to_string(preload), kExitError};
      }
      options.preload = static_cast<unsigned>(preload);
      return std::nullopt;
    }
    case 'm':
      return store_integer(value, 0, UINT32_MAX, options.mark);
    case 'S':
      return store_integer(value, 1, INT_MAX, options.sndbuf);
    case 'M': {
      if (value == "do") options.pmtu = PmtuDiscovery::do_;
      else if (value == "dont") options.pmtu = PmtuDiscovery::dont;
      else if (value == "want") options.pmtu = PmtuDiscovery::want;
      else if (value == "probe") options.pmtu = PmtuDiscovery::probe;
      else return Failure{"invalid -M argument: " + value, kExitError};
      return std::nullopt;
    }
    case 'Q': {
      const auto tos = parse_hex_or_decimal(value, false);
      if (!tos) return Failure{"bad TOS value: " + value, kExitError};
      if (*tos > 255) {
        return Failure{"the decimal value of TOS bits must be in range 0-255: " + std::to_string(*tos), kExitError};
      }
      options.tos = static_cast<int>(*tos);
      return std::nullopt;
    }
    case 'F': {
      const auto flow = parse_hex_or_decimal(value, true);
      if (!flow) return Failure{"bad value for flowinfo: " + value, kExitError};
      if ((static_cast<unsigned long long>(*flow) & ~0xFFFFFULL) != 0) {
        return Failure{"flow value is greater than 20 bits: " + value, kExitError};
      }
      options.flow_label = static_cast<std::uint32_t>(*flow);
      return std::nullopt;
    }
    case 'p': {
      auto parsed = parse_pattern(value);
      if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
      options.pattern = std::get<std::vector<std::uint8_t>>(parsed);
      options.pattern_given = true;
      // iputils prints the pattern while parsing, so only a -q given before -p silences it.
      if (!options.quiet) {
        out += "PATTERN: 0x";
        for (const auto byte : options.pattern) out += hex_byte(byte);
        out += '\n';
      }
      return std::nullopt;
    }
    case 'N': {
      bool known = false;
      for (const auto query : kNodeInfoQueries) {
        known = known || (query.back() == '=' ? value.rfind(query, 0) == 0 : value == query);
      }
      if (!known) return Failure{node_info_help(), kExitError, true};
      if (value == "help") return Failure{node_info_help(), kExitOk, true, true};
      options.node_info = value;
      return std::nullopt;
    }
    case 'v':
      options.verbose = true;
      return std::nullopt;
    case 'D':
      options.print_timestamps = true;
      return std::nullopt;
    case 'O':
      options.report_outstanding = true;
      return std::nullopt;
    case 'c':
      return store_integer(value, 1, LLONG_MAX, options.count);
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
    case 's':
      // Only the integer range here; the packet size limit needs the target, checked at the end.
      return store_integer(value, 0, INT_MAX, options.payload_size);
    case 't':
      return store_integer(value, 0, 255, options.ttl);
    case 'i':
    case 'W': {
      const bool interval = letter == 'i';
      // iputils 20250605 keeps -i in int milliseconds and -W in uint32_t microseconds (at most
      // 4294.967295 s; Debian's 20221126 allowed INT_MAX / 1000 s).
      auto parsed = interval ? parse_seconds_as_ms(value, "bad timing interval", static_cast<double>(INT_MAX) / 1000,
                                                   options.program_name, warnings)
                             : parse_seconds_as_ms(value, "bad linger time", static_cast<double>(UINT_MAX) / 1000000,
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
      if (value.find(':') != std::string::npos && !is_ipv6_literal(value.substr(0, value.find('%')))) {
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

std::size_t max_payload_size(icmp::Family family) { return family == icmp::Family::v4 ? kMaxPayloadV4 : kMaxPayloadV6; }

ParseResult parse_command_line(const std::vector<std::string>& args, bool real_uid_is_root) {
  std::string out;  // what iputils has printed on stdout by then (PATTERN lines)
  // Everything returned from here on keeps those lines, before any diagnostic.
  const auto with_out = [&out](ParseResult result) {
    result.out = out + result.out;
    return result;
  };
  Options options;
  if (!args.empty() && !args[0].empty()) options.program_name = args[0];
  options.family = family_implied_by_name(options.program_name);

  const GetoptScan scan = scan_like_getopt(args);

  std::string warnings;
  for (const OptionOccurrence& occurrence : scan.options) {
    if (occurrence.letter == 'V') {
      ParseResult result;
      result.out = version_text();
      result.err = warnings;
      result.exit_code = kExitOk;
      return with_out(result);
    }
    if (auto failure = apply_option(occurrence.letter, occurrence.value, options, warnings, out, real_uid_is_root)) {
      return with_out(failed(options, warnings, *failure));
    }
  }

  switch (scan.stop) {
    case GetoptStop::none:
      break;
    case GetoptStop::help:
      return with_out(usage_failure(options, warnings, ""));
    case GetoptStop::unknown_option:
      return with_out(
          usage_failure(options, warnings, options.program_name + ": invalid option -- '" + scan.letter + "'\n"));
    case GetoptStop::missing_argument:
      return with_out(usage_failure(options, warnings,
                                    options.program_name + ": option requires an argument -- '" + scan.letter + "'\n"));
  }

  const std::vector<std::string>& operands = scan.operands;
  if (operands.empty()) {
    return with_out(
        failed(options, warnings, {std::string("usage error: ") + std::strerror(EDESTADDRREQ), kExitError}));
  }
  // iputils reads extra operands as IPv4 hops: up to four prespecified timestamp addresses with
  // -T tsprespec, source-route hops without -R / -T (uping has no source routing), and answers
  // hop lists it cannot use with its usage text.
  if (operands.size() > 1) {
    if (options.timestamp_option != TimestampOption::tsprespec || operands.size() > kMaxTimestampHops + 1)
      return with_out(usage_failure(options, warnings, ""));
    options.timestamp_hops.assign(operands.begin(), operands.end() - 1);
  }
  options.target = operands.back();

  // iputils' packet size check: the family from -4/-6, overridden by a literal target; for a
  // host name the larger (IPv6) bound.
  // -R / -T take 40 bytes of IPv4 header room from the payload.
  const std::size_t max_v4 = kMaxPayloadV4 - ip_options_size(options);
  std::size_t max_size = kMaxPayloadV6;
  if (options.family) max_size = *options.family == icmp::Family::v4 ? max_v4 : kMaxPayloadV6;
  if (is_ipv4_literal(options.target)) max_size = max_v4;
  else if (is_ipv6_literal(options.target)) max_size = kMaxPayloadV6;
  if (options.payload_size > max_size) {
    return with_out(failed(options, warnings,
                           {"invalid -s value: '" + std::to_string(options.payload_size) +
                                "': out of range: 0 <= value <= " + std::to_string(max_size),
                            kExitNoReply}));
  }
  // Node information queries are ICMPv6 types of their own; the kernel lets an ICMP datagram
  // socket send echo requests only, and uping implements nothing else.
  if (options.node_info) {
    return with_out(failed(options, warnings,
                           {"-N " + *options.node_info +
                                ": node information queries need a raw ICMPv6 socket; uping sends echo requests only",
                            kExitError}));
  }

  ParseResult result;
  result.options = std::move(options);
  result.err = warnings;
  return with_out(result);
}

bool timestamp_hops_requested(const std::vector<std::string>& args) {
  const GetoptScan scan = scan_like_getopt(args);
  if (scan.operands.size() < 2) return false;
  std::string_view flavour;  // the last -T wins, as in parse_command_line
  for (const OptionOccurrence& occurrence : scan.options) {
    if (occurrence.letter == 'T') flavour = occurrence.value;
  }
  return flavour == "tsprespec";
}

int effective_interval_ms(const Options& options) {
  if (options.flood && !options.interval_given) return 0;
  // iputils keeps whole milliseconds; the small bias keeps 0.002 from becoming 1.999... ms.
  return static_cast<int>(std::floor(options.interval_seconds * 1000.0 + 1e-6));
}

std::size_t ip_options_size(const Options& options) {
  return options.record_route || options.timestamp_option ? kIpOptionsSize : 0;
}

std::optional<std::string> user_limit_violation(const Options& options, bool real_uid_is_root) {
  if (real_uid_is_root) return std::nullopt;
  if (effective_interval_ms(options) < kMinUserIntervalMs) {
    return "cannot flood, minimal interval for user must be >= 2 ms, use -i 0.002 (or higher)";
  }
  return std::nullopt;
}

}  // namespace uping
