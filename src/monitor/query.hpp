#pragma once
// The request target of a /probe call, `/probe?target=HOST&count=N&interval=D&timeout=D`, parsed
// into a probe or refused with a one-line reason for the 400 body. Pure. Keys and values are
// percent-decoded ('+' is a space); a key given twice or unknown is refused rather than guessed at,
// and every value is bounded by the caller's limits. Durations are seconds with an optional unit:
// "0.5", "500ms", "2s", "250us". Whether the target may be probed (--probe-allow) is the caller's
// decision, after resolution.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace uping::monitor {

struct ProbeLimits {
  std::size_t max_request_length = 2048;  // the whole request target, before decoding
  std::size_t max_target_length = 253;    // a DNS name's longest text form
  std::uint32_t max_count = 100;
  std::chrono::nanoseconds min_interval = std::chrono::milliseconds(10);
  std::chrono::nanoseconds max_interval = std::chrono::seconds(10);
  std::chrono::nanoseconds min_timeout = std::chrono::milliseconds(1);
  std::chrono::nanoseconds max_timeout = std::chrono::seconds(30);
  // What a parameter left out means.
  std::uint32_t default_count = 1;
  std::chrono::nanoseconds default_interval = std::chrono::seconds(1);
  std::chrono::nanoseconds default_timeout = std::chrono::seconds(1);
};

struct ProbeQuery {
  std::string target;  // decoded; not empty, no control characters
  std::uint32_t count = 1;
  std::chrono::nanoseconds interval{};
  std::chrono::nanoseconds timeout{};
};

struct ProbeQueryResult {
  std::optional<ProbeQuery> query;  // set on success
  std::string error;                // on refusal: one line of printable ASCII, no newline
};

ProbeQueryResult parse_probe_query(std::string_view request_target, const ProbeLimits& limits);

// The query's duration syntax, for the command line's defaults too: nullopt when malformed or
// beyond max (a day at most).
std::optional<std::chrono::nanoseconds> parse_probe_duration(std::string_view text);

}  // namespace uping::monitor
