// What every NDJSON writer shares (cli/ndjson.hpp), moved here from the sweep's output.
#include "cli/ndjson.hpp"

// Boost.JSON compiled into this one translation unit (header-only mode) rather than linked as
// libboost_json.so: the release build links statically where it can, and one more shared library
// would cost every uping start-up its relocations. The unit tests use the same definitions.
#include <initializer_list>
#include <utility>

#include <boost/json/src.hpp>
#include <fmt/format.h>

namespace uping::ndjson {
namespace {

// {"key":0.052,...} from whole microseconds, in one string (a sweep writes one per target).
std::string millis_object(std::initializer_list<std::pair<std::string_view, Micros>> figures) {
  fmt::memory_buffer object;  // on the stack: one allocation, for the string returned
  object.push_back('{');
  for (const auto& [key, micros] : figures) {
    const Micros clamped = micros < 0 ? 0 : micros;
    fmt::format_to(fmt::appender(object), "{}\"{}\":{}.{:03}", object.size() > 1 ? "," : "", key, clamped / 1000,
                   clamped % 1000);
  }
  object.push_back('}');
  return fmt::to_string(object);
}

// A figure in fractional microseconds (a percentile, a jitter), rounded to the microsecond.
Micros rounded(double micros) { return to_micros(micros, 1).count(); }

// Length of the valid UTF-8 sequence at the start of `text`, or 0 (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

// Boost.JSON 1.81 would print a double as "5.2E-2"; integer arithmetic also keeps float noise out.
std::string millis(Micros micros) {
  const Micros clamped = micros < 0 ? 0 : micros;
  return fmt::format("{}.{:03}", clamped / 1000, clamped % 1000);
}

// {"min":…,"avg":…,"max":…,"mdev":…,"p50":…,"p90":…,"p95":…,"p99":…}, or null without a timed reply.
std::string rtt_figures(const RttStatistics& rtt) {
  const auto summary = rtt.summary();
  if (!summary) return "null";
  return millis_object({{"min", summary->min},
                        {"avg", summary->avg},
                        {"max", summary->max},
                        {"mdev", summary->mdev},
                        {"p50", rounded(*rtt.percentile(50))},
                        {"p90", rounded(*rtt.percentile(90))},
                        {"p95", rounded(*rtt.percentile(95))},
                        {"p99", rounded(*rtt.percentile(99))}});
}

// {"rfc3550":…,"mean_diff":…}, or null before two successive replies.
std::string jitter_figures(const RttJitter& jitter) {
  const auto smoothed = jitter.smoothed();
  const auto mean = jitter.mean_abs_difference();
  if (!smoothed || !mean) return "null";
  return millis_object({{"rfc3550", rounded(*smoothed)}, {"mean_diff", rounded(*mean)}});
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_valid_utf8(out, text);
  return out;
}

void append_valid_utf8(std::string& out, std::string_view text) {
  // Valid runs are appended whole: the exposition repairs every label value of a scrape.
  std::size_t run = 0;  // bytes of text[0, run) checked valid and not yet appended
  while (run < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(run));
    if (length != 0) {
      run += length;
      continue;
    }
    out.append(text.substr(0, run));
    out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
    text.remove_prefix(run + 1);
    run = 0;
  }
  out.append(text);
}

Line::Line(std::string_view type) { line_ = fmt::format("{{\"v\":{},\"type\":\"{}\"", kSchemaVersion, type); }

Line& Line::text(std::string_view key, std::string_view value) {
  return raw(key, boost::json::serialize(boost::json::string_view(valid_utf8(value))));
}

Line& Line::optional_text(std::string_view key, std::string_view value) {
  return value.empty() ? raw(key, "null") : text(key, value);
}

Line& Line::number(std::string_view key, std::uint64_t value) { return raw(key, std::to_string(value)); }

Line& Line::flag(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }

Line& Line::raw(std::string_view key, std::string_view json) {
  line_ += fmt::format(",\"{}\":{}", key, json);
  return *this;
}

std::string Line::finish() { return line_ + "}\n"; }

}  // namespace uping::ndjson
