#include "monitor/query.hpp"

#include <array>

namespace uping::monitor {
namespace {

using std::chrono::nanoseconds;

constexpr std::string_view kPath = "/probe";
constexpr std::size_t kQuotedMax = 40;                       // how much of a caller's text an error repeats
constexpr std::int64_t kMaxDurationNs = 86'400'000'000'000;  // one day

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// The caller's text inside an error: printable ASCII only, so the reason stays one safe line.
std::string quoted(std::string_view text) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kQuotedMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > kQuotedMax) out += "...";
  return out + "'";
}

// %XX and '+' decoded; nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::uint32_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;  // 9 digits cannot overflow
  std::uint32_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

ProbeQueryResult refuse(std::string reason) { return {std::nullopt, std::move(reason)}; }

std::string describe(nanoseconds value) {
  // Limits are the operator's round figures: the largest unit that says them exactly.
  const std::int64_t ns = value.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  return std::to_string(ns) + "ns";
}

}  // namespace

std::optional<nanoseconds> parse_probe_duration(std::string_view text) {
  // The unit's scale in nanoseconds; a bare number is seconds.
  std::int64_t scale = 1'000'000'000;
  if (text.ends_with("ms")) {
    scale = 1'000'000;
    text.remove_suffix(2);
  } else if (text.ends_with("us")) {
    scale = 1'000;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  }
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 6) return std::nullopt;  // a day is under 10^6 units of any scale
  if (dot != std::string_view::npos && fraction.empty()) return std::nullopt;
  std::int64_t total = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    total = total * 10 + (c - '0');
  }
  total *= scale;
  // Digits below a nanosecond are refused, not rounded: "0.0000000001" is a mistake.
  std::int64_t place = scale;
  for (const char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    place /= 10;
    if (place == 0) return std::nullopt;
    total += (c - '0') * place;
  }
  if (total > kMaxDurationNs) return std::nullopt;
  return nanoseconds(total);
}

ProbeQueryResult parse_probe_query(std::string_view request_target, const ProbeLimits& limits) {
  if (request_target.size() > limits.max_request_length) {
    return refuse("request target longer than " + std::to_string(limits.max_request_length) + " bytes");
  }
  for (const char c : request_target) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_control(byte) || c == ' ' || c == '#' || byte >= 0x80) {
      return refuse("request target contains a character that must be percent-encoded");
    }
  }
  const std::size_t question = request_target.find('?');
  const std::string_view path = request_target.substr(0, question);
  if (path != kPath) return refuse("unknown path " + quoted(path) + " (expected /probe)");
  std::string_view rest = question == std::string_view::npos ? std::string_view{} : request_target.substr(question + 1);

  enum Key : std::size_t { kTarget, kCount, kInterval, kTimeout, kKeyCount };
  constexpr std::array<std::string_view, kKeyCount> kKeys = {"target", "count", "interval", "timeout"};
  std::array<std::optional<std::string>, kKeyCount> values;

  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" or a trailing '&': nothing to misread
    const std::size_t equals = pair.find('=');
    const auto key = percent_decode(pair.substr(0, equals));
    if (!key) return refuse("malformed percent-encoding in " + quoted(pair));
    std::size_t index = 0;
    while (index < kKeyCount && kKeys[index] != *key) ++index;
    if (index == kKeyCount) return refuse("unknown parameter " + quoted(*key));
    if (equals == std::string_view::npos) return refuse("parameter " + quoted(*key) + " has no value");
    if (values[index]) return refuse("parameter " + quoted(*key) + " given twice");
    auto value = percent_decode(pair.substr(equals + 1));
    if (!value) return refuse("malformed percent-encoding in " + quoted(pair));
    values[index] = std::move(*value);
  }

  ProbeQuery query;
  if (!values[kTarget] || values[kTarget]->empty()) return refuse("missing target");
  query.target = std::move(*values[kTarget]);
  if (query.target.size() > limits.max_target_length) {
    return refuse("target longer than " + std::to_string(limits.max_target_length) + " bytes");
  }
  for (const char c : query.target) {
    if (is_control(static_cast<unsigned char>(c))) return refuse("target contains a control character");
  }

  query.count = limits.default_count;
  if (values[kCount]) {
    const auto count = parse_count(*values[kCount]);
    if (!count || *count < 1 || *count > limits.max_count) {
      return refuse("count " + quoted(*values[kCount]) + " is not a whole number from 1 to " +
                    std::to_string(limits.max_count));
    }
    query.count = *count;
  }

  const auto duration = [&](std::size_t key, nanoseconds fallback, nanoseconds low, nanoseconds high,
                            nanoseconds& into) -> std::optional<std::string> {
    into = fallback;
    if (!values[key]) return std::nullopt;
    const auto parsed = parse_probe_duration(*values[key]);
    if (!parsed || *parsed < low || *parsed > high) {
      return std::string(kKeys[key]) + " " + quoted(*values[key]) + " is not a duration from " + describe(low) +
             " to " + describe(high) + " (like 0.5, 500ms, 2s)";
    }
    into = *parsed;
    return std::nullopt;
  };
  if (auto error = duration(kInterval, limits.default_interval, limits.min_interval, limits.max_interval,
                            query.interval)) {
    return refuse(std::move(*error));
  }
  if (auto error = duration(kTimeout, limits.default_timeout, limits.min_timeout, limits.max_timeout, query.timeout)) {
    return refuse(std::move(*error));
  }
  return {std::move(query), {}};
}

}  // namespace uping::monitor
