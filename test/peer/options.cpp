#include "options.hpp"

#include <net/if.h>

#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <string_view>

namespace peer {

const char* const kUsage = R"(usage: uping_peer --dev NAME [options] [scenario...]

Answers ICMP / ICMPv6 echo requests for 203.0.113.0/24 and 2001:db8:feed::/64 routed into the TUN
device NAME (created in the current network namespace), following a scenario. See test/peer/README.md.

Run:
  --dev NAME                  TUN device to create (needs CAP_NET_ADMIN)
  --no-configure              do not assign addresses and routes (the caller does)
  --truth FILE                write the ground truth here on exit ("-": standard output)
  --ready FILE                create FILE once the device is up and configured
  --timeout S                 exit after S seconds (default 30, at most 3600)
  --exit-after-requests N     exit once N echo requests were handled and their answers sent
  --seed N                    random seed for jitter and unsolicited replies (default 1)
  --verbose                   log each event on stderr as it happens
  --help

Scenario (applies to both families, or to the one chosen by the last --v4 / --v6 / --both):
  --drop-every N              drop the Nth, 2Nth, ... request
  --duplicate N               send each reply N extra times
  --delay MS                  answer after MS milliseconds
  --jitter MS                 vary the delay uniformly by +-MS (replies reorder)
  --corrupt-checksum-every N  every Nth reply packet carries a wrong ICMP checksum
  --truncate BYTES            cut the reply payload to at most BYTES bytes
  --oversize BYTES            append BYTES payload bytes nobody asked for
  --forge-timestamp[=WHEN]    overwrite the first 16 payload bytes with a struct timeval one day in
                              the future (default), the past, or alternately both (future|past|alternate)
  --wrong-id                  reply with identifier + 1
  --wrong-seq                 reply with sequence + 1000
  --error TYPE                answer with an ICMP error quoting the request, from 203.0.113.254 /
                              2001:db8:feed::fe: net-unreachable|no-route, host-unreachable|addr-unreachable,
                              time-exceeded|hop-limit, frag-needed|packet-too-big (MTU 1280)
  --error-every N             only every Nth request gets the error, the others a reply (default 1)
  --flood-unsolicited N       per request, N echo replies with random sequence numbers and identifiers
  --unsolicited-same-id       ... with the request's identifier instead
  --ttl N                     TTL / hop limit of what the peer sends (default 64)
)";

namespace {

template <typename Number>
bool parse_number(std::string_view text, Number min, Number max, Number& out) {
  Number value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

std::optional<ErrorKind> error_kind_named(std::string_view name) {
  static const std::map<std::string_view, ErrorKind> kinds{
      {"net-unreachable", ErrorKind::net_unreachable},   {"no-route", ErrorKind::net_unreachable},
      {"host-unreachable", ErrorKind::host_unreachable}, {"addr-unreachable", ErrorKind::host_unreachable},
      {"time-exceeded", ErrorKind::time_exceeded},       {"hop-limit", ErrorKind::time_exceeded},
      {"frag-needed", ErrorKind::frag_needed},           {"packet-too-big", ErrorKind::frag_needed},
  };
  const auto found = kinds.find(name);
  if (found == kinds.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<ForgedTimestamp> forged_timestamp_named(std::string_view name) {
  if (name == "future") return ForgedTimestamp::future;
  if (name == "past") return ForgedTimestamp::past;
  if (name == "alternate") return ForgedTimestamp::alternate;
  return std::nullopt;
}

}  // namespace

std::variant<Options, ShowHelp, UsageError> parse_options(const std::vector<std::string>& args) {
  Options options;
  std::vector<Scenario*> scope{&options.v4, &options.v6};

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      return UsageError{"unexpected argument '" + std::string(arg) + "'"};
    }
    const auto equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    std::optional<std::string_view> inline_value;
    if (equals != std::string_view::npos) {
      inline_value = arg.substr(equals + 1);
    }

    // The option's value: after '=' or the next argument.
    std::string_view value;
    const auto take_value = [&]() -> bool {
      if (inline_value) {
        value = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) {
        return false;
      }
      value = args[++i];
      return true;
    };
    const auto missing = [&] { return UsageError{std::string(name) + " needs a value"}; };
    const auto invalid = [&] {
      return UsageError{"invalid value '" + std::string(value) + "' for " + std::string(name)};
    };
    const auto no_value_allowed = [&] { return UsageError{std::string(name) + " takes no value"}; };
    const auto for_scope = [&](const std::function<void(Scenario&)>& apply) {
      for (Scenario* scenario : scope) apply(*scenario);
    };
    // A scenario number in [min, max], applied to every family in scope.
    const auto scenario_number =
        [&](std::uint32_t min, std::uint32_t max,
            const std::function<void(Scenario&, std::uint32_t)>& apply) -> std::optional<UsageError> {
      if (!take_value()) return missing();
      std::uint32_t number = 0;
      if (!parse_number(value, min, max, number)) return invalid();
      for_scope([&](Scenario& s) { apply(s, number); });
      return std::nullopt;
    };

    // Flags without a value.
    static const std::map<std::string_view, std::function<void(Options&, std::vector<Scenario*>&)>> kFlags{
        {"--v4", [](Options& o, std::vector<Scenario*>& s) { s = {&o.v4}; }},
        {"--v6", [](Options& o, std::vector<Scenario*>& s) { s = {&o.v6}; }},
        {"--both",
         [](Options& o, std::vector<Scenario*>& s) {
           s = {&o.v4, &o.v6};
         }},
        {"--no-configure", [](Options& o, std::vector<Scenario*>&) { o.configure = false; }},
        {"--verbose", [](Options& o, std::vector<Scenario*>&) { o.verbose = true; }},
        {"--wrong-id",
         [](Options&, std::vector<Scenario*>& s) {
           for (auto* x : s) x->wrong_id = true;
         }},
        {"--wrong-seq",
         [](Options&, std::vector<Scenario*>& s) {
           for (auto* x : s) x->wrong_seq = true;
         }},
        {"--unsolicited-same-id",
         [](Options&, std::vector<Scenario*>& s) {
           for (auto* x : s) x->unsolicited_same_id = true;
         }},
    };
    if (name == "--help" || name == "-h") {
      return ShowHelp{};
    }
    if (const auto flag = kFlags.find(name); flag != kFlags.end()) {
      if (inline_value) return no_value_allowed();
      flag->second(options, scope);
      continue;
    }

    std::optional<UsageError> error;
    constexpr std::uint32_t kMaxEvery = 1'000'000;
    constexpr std::uint32_t kMaxDelayMs = 60'000;
    constexpr std::uint32_t kMaxBytes = kMaxPacketSize;
    if (name == "--dev") {
      if (!take_value()) return missing();
      if (value.empty() || value.size() >= IFNAMSIZ || value.find_first_of("/ \t\n:") != std::string_view::npos) {
        return invalid();
      }
      options.device = value;
    } else if (name == "--truth") {
      if (!take_value()) return missing();
      if (value.empty()) return invalid();
      options.truth_path = value;
    } else if (name == "--ready") {
      if (!take_value()) return missing();
      if (value.empty()) return invalid();
      options.ready_path = value;
    } else if (name == "--timeout") {
      if (!take_value()) return missing();
      if (!parse_number<std::uint32_t>(value, 1, 3600, options.timeout_s)) return invalid();
    } else if (name == "--exit-after-requests") {
      if (!take_value()) return missing();
      if (!parse_number<std::uint64_t>(value, 1, 1'000'000'000, options.exit_after_requests)) return invalid();
    } else if (name == "--seed") {
      if (!take_value()) return missing();
      if (!parse_number<std::uint64_t>(value, 0, std::numeric_limits<std::uint64_t>::max(), options.seed)) {
        return invalid();
      }
    } else if (name == "--drop-every") {
      error = scenario_number(1, kMaxEvery, [](Scenario& s, std::uint32_t n) { s.drop_every = n; });
    } else if (name == "--duplicate") {
      error = scenario_number(0, 100, [](Scenario& s, std::uint32_t n) { s.duplicate = n; });
    } else if (name == "--delay") {
      error = scenario_number(0, kMaxDelayMs, [](Scenario& s, std::uint32_t n) { s.delay_ms = n; });
    } else if (name == "--jitter") {
      error = scenario_number(0, kMaxDelayMs, [](Scenario& s, std::uint32_t n) { s.jitter_ms = n; });
    } else if (name == "--corrupt-checksum-every") {
      error = scenario_number(1, kMaxEvery, [](Scenario& s, std::uint32_t n) { s.corrupt_checksum_every = n; });
    } else if (name == "--truncate") {
      error = scenario_number(0, kMaxBytes, [](Scenario& s, std::uint32_t n) { s.truncate_to = n; });
    } else if (name == "--oversize") {
      error = scenario_number(1, kMaxBytes, [](Scenario& s, std::uint32_t n) { s.oversize = n; });
    } else if (name == "--error-every") {
      error = scenario_number(1, kMaxEvery, [](Scenario& s, std::uint32_t n) { s.error_every = n; });
    } else if (name == "--flood-unsolicited") {
      error = scenario_number(0, 1000, [](Scenario& s, std::uint32_t n) { s.flood_unsolicited = n; });
    } else if (name == "--ttl") {
      error = scenario_number(1, 255, [](Scenario& s, std::uint32_t n) { s.ttl = static_cast<std::uint8_t>(n); });
    } else if (name == "--forge-timestamp") {
      // Only "--forge-timestamp=WHEN" carries a value, so the bare flag never swallows the next option.
      auto when = std::optional<ForgedTimestamp>{ForgedTimestamp::future};
      if (inline_value) {
        value = *inline_value;
        when = forged_timestamp_named(value);
        if (!when) return invalid();
      }
      for_scope([&](Scenario& s) { s.forge_timestamp = *when; });
    } else if (name == "--error") {
      if (!take_value()) return missing();
      const auto kind = error_kind_named(value);
      if (!kind) return invalid();
      for_scope([&](Scenario& s) { s.error = kind; });
    } else {
      return UsageError{"unknown option '" + std::string(name) + "'"};
    }
    if (error) {
      return *error;
    }
  }

  if (options.device.empty()) {
    return UsageError{"--dev NAME is required"};
  }
  return options;
}

}  // namespace peer
