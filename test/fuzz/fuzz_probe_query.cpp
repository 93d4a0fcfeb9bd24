// Harness for the /probe query parser: the whole input is the request target, as an HTTP request
// line would carry it, parsed once with generous limits and once with tight ones. Invariants are
// those the HTTP server will rely on: no exception escapes, a refusal always says why in one line
// of printable ASCII (it becomes a 400 body), and an accepted probe stays within the limits.

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string_view>

#include "fuzz_target.hpp"
#include "monitor/query.hpp"

namespace {

using namespace std::chrono_literals;

uping::monitor::ProbeLimits tight_limits() {
  uping::monitor::ProbeLimits limits;
  limits.max_request_length = 96;
  limits.max_target_length = 16;
  limits.max_count = 5;
  limits.min_interval = 50ms;
  limits.max_interval = 2s;
  limits.min_timeout = 100ms;
  limits.max_timeout = 3s;
  limits.default_count = 2;
  limits.default_interval = 1s;
  limits.default_timeout = 1s;
  return limits;
}

void check(std::string_view request_target, const uping::monitor::ProbeLimits& limits) {
  const uping::monitor::ProbeQueryResult result = uping::monitor::parse_probe_query(request_target, limits);
  if (!result.query) {
    UPING_FUZZ_CHECK(!result.error.empty());
    for (const char c : result.error) UPING_FUZZ_CHECK(c >= 0x20 && c < 0x7f);
    return;
  }
  const uping::monitor::ProbeQuery& query = *result.query;
  UPING_FUZZ_CHECK(result.error.empty());
  UPING_FUZZ_CHECK(request_target.size() <= limits.max_request_length);
  UPING_FUZZ_CHECK(!query.target.empty() && query.target.size() <= limits.max_target_length);
  for (const char c : query.target) {
    const auto byte = static_cast<unsigned char>(c);
    UPING_FUZZ_CHECK(byte >= 0x20 && byte != 0x7f);
  }
  UPING_FUZZ_CHECK(query.count >= 1 && query.count <= limits.max_count);
  UPING_FUZZ_CHECK(query.interval >= limits.min_interval && query.interval <= limits.max_interval);
  UPING_FUZZ_CHECK(query.timeout >= limits.min_timeout && query.timeout <= limits.max_timeout);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request_target(reinterpret_cast<const char*>(data), size);
  try {
    check(request_target, uping::monitor::ProbeLimits{});
    check(request_target, tight_limits());
    if (const auto duration = uping::monitor::parse_probe_duration(request_target)) {
      UPING_FUZZ_CHECK(duration->count() >= 0 && *duration <= 24h);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "exception: %s\n", error.what());
    uping::fuzz::invariant_failed("no exception escapes", __FILE__, __LINE__);
  } catch (...) {
    uping::fuzz::invariant_failed("no exception escapes (not a std::exception)", __FILE__, __LINE__);
  }
  return 0;
}
