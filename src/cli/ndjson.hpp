#pragma once
// What every NDJSON writer shares (the sweep's --json, the monitor's events; docs/json.md): the
// schema version, one object per line whose strings Boost.JSON escapes after bytes that are not
// UTF-8 became U+FFFD, and RTT figures as exact decimal milliseconds. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "uping/rtt_statistics.hpp"
#include "uping/stats.hpp"

namespace uping::ndjson {

inline constexpr int kSchemaVersion = 1;

// Bytes that are not UTF-8 (a file's line, a name) become U+FFFD, so every line is valid JSON.
// The one UTF-8 repair of uping's output: the monitor's exposition and status page use it too.
std::string valid_utf8(std::string_view text);
// The same, appended to `out` (no string of its own).
void append_valid_utf8(std::string& out, std::string_view text);

// Exact milliseconds from whole microseconds: 52 -> "0.052" (negative times as 0).
std::string millis(Micros micros);

// {"min":…,"avg":…,"max":…,"mdev":…,"p50":…,"p90":…,"p95":…,"p99":…} in ms, or null without a timed reply.
std::string rtt_figures(const RttStatistics& rtt);
// {"rfc3550":…,"mean_diff":…} in ms, or null before two successive replies.
std::string jitter_figures(const RttJitter& jitter);

// One NDJSON object: {"v":1,"type":…} then fields appended in order (keys fixed ASCII), "}\n".
class Line {
 public:
  explicit Line(std::string_view type);
  Line& text(std::string_view key, std::string_view value);
  // null for an empty value.
  Line& optional_text(std::string_view key, std::string_view value);
  Line& number(std::string_view key, std::uint64_t value);
  Line& flag(std::string_view key, bool value);
  // `json` as it is: a number, null, an object.
  Line& raw(std::string_view key, std::string_view json);
  std::string finish();

 private:
  std::string line_;
};

}  // namespace uping::ndjson
