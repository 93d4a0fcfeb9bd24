// The /probe request target: decoding, defaults, limits, and the one-line refusals for a 400 body.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "monitor/query.hpp"

using namespace std::chrono_literals;
using uping::monitor::parse_probe_duration;
using uping::monitor::parse_probe_query;
using uping::monitor::ProbeLimits;
using uping::monitor::ProbeQueryResult;

namespace {

std::string refusal(std::string_view target, const ProbeLimits& limits = {}) {
  const ProbeQueryResult result = parse_probe_query(target, limits);
  CHECK_FALSE(result.query);
  return result.error;
}

}  // namespace

TEST_CASE("monitor query: every parameter given", "[monitor]") {
  const auto result = parse_probe_query("/probe?target=198.51.100.7&count=5&interval=0.2&timeout=1500ms", {});
  REQUIRE(result.query);
  CHECK(result.error.empty());
  CHECK(result.query->target == "198.51.100.7");
  CHECK(result.query->count == 5);
  CHECK(result.query->interval == 200ms);
  CHECK(result.query->timeout == 1500ms);
}

TEST_CASE("monitor query: defaults come from the limits", "[monitor]") {
  ProbeLimits limits;
  limits.default_count = 3;
  limits.default_interval = 250ms;
  limits.default_timeout = 2s;
  const auto result = parse_probe_query("/probe?target=host.example", limits);
  REQUIRE(result.query);
  CHECK(result.query->count == 3);
  CHECK(result.query->interval == 250ms);
  CHECK(result.query->timeout == 2s);
}

TEST_CASE("monitor query: percent-decoding and '+' as a space", "[monitor]") {
  auto result = parse_probe_query("/probe?target=2001%3Adb8%3A%3a1", {});
  REQUIRE(result.query);
  CHECK(result.query->target == "2001:db8::1");
  result = parse_probe_query("/probe?%74arget=a+b%2Bc", {});
  REQUIRE(result.query);
  CHECK(result.query->target == "a b+c");
  result = parse_probe_query("/probe?target=x&&count=2&", {});
  REQUIRE(result.query);
  CHECK(result.query->count == 2);
}

TEST_CASE("monitor query: malformed or forbidden text is refused", "[monitor]") {
  CHECK(refusal("/probe?target=a%2") == "malformed percent-encoding in 'target=a%2'");
  CHECK(refusal("/probe?target=a%zz") == "malformed percent-encoding in 'target=a%zz'");
  CHECK(refusal("/probe?target=a%0Ab") == "target contains a control character");
  CHECK(refusal("/probe?target=a%00") == "target contains a control character");
  CHECK(refusal("/probe?target=a b") == "request target contains a character that must be percent-encoded");
  CHECK(refusal("/probe?target=a#frag") == "request target contains a character that must be percent-encoded");
  CHECK(refusal("/probe?target=\xc3\xa9") == "request target contains a character that must be percent-encoded");
}

TEST_CASE("monitor query: the path, the target and the keys", "[monitor]") {
  CHECK(refusal("/metrics?target=x") == "unknown path '/metrics' (expected /probe)");
  CHECK(refusal("/probe/?target=x") == "unknown path '/probe/' (expected /probe)");
  CHECK(refusal("/probe") == "missing target");
  CHECK(refusal("/probe?target=") == "missing target");
  CHECK(refusal("/probe?count=2") == "missing target");
  CHECK(refusal("/probe?target=a&target=b") == "parameter 'target' given twice");
  CHECK(refusal("/probe?target=a&targe%74=b") == "parameter 'target' given twice");
  CHECK(refusal("/probe?target=a&module=icmp") == "unknown parameter 'module'");
  CHECK(refusal("/probe?target=a&count") == "parameter 'count' has no value");
  CHECK(refusal("/probe?target=a&%0A%01=1") ==
        "unknown parameter '?"
        "?'");
}

TEST_CASE("monitor query: count within 1 and the limit", "[monitor]") {
  ProbeLimits limits;
  limits.max_count = 20;
  CHECK(parse_probe_query("/probe?target=a&count=20", limits).query->count == 20);
  CHECK(parse_probe_query("/probe?target=a&count=007", limits).query->count == 7);
  CHECK(refusal("/probe?target=a&count=21", limits) == "count '21' is not a whole number from 1 to 20");
  CHECK(refusal("/probe?target=a&count=0", limits) == "count '0' is not a whole number from 1 to 20");
  CHECK(refusal("/probe?target=a&count=-1", limits) == "count '-1' is not a whole number from 1 to 20");
  CHECK(refusal("/probe?target=a&count=%2B3", limits) == "count '+3' is not a whole number from 1 to 20");
  CHECK(refusal("/probe?target=a&count=99999999999999999999", limits) ==
        "count '99999999999999999999' is not a whole number from 1 to 20");
  CHECK(refusal("/probe?target=a&count=", limits) == "count '' is not a whole number from 1 to 20");
}

TEST_CASE("monitor query: interval and timeout within the limits", "[monitor]") {
  ProbeLimits limits;
  limits.min_interval = 100ms;
  limits.max_interval = 5s;
  limits.min_timeout = 500us;
  limits.max_timeout = 10s;
  CHECK(parse_probe_query("/probe?target=a&interval=5s", limits).query->interval == 5s);
  CHECK(parse_probe_query("/probe?target=a&interval=100ms", limits).query->interval == 100ms);
  CHECK(parse_probe_query("/probe?target=a&timeout=500us", limits).query->timeout == 500us);
  CHECK(refusal("/probe?target=a&interval=99ms", limits) ==
        "interval '99ms' is not a duration from 100ms to 5s (like 0.5, 500ms, 2s)");
  CHECK(refusal("/probe?target=a&interval=5.001", limits) ==
        "interval '5.001' is not a duration from 100ms to 5s (like 0.5, 500ms, 2s)");
  CHECK(refusal("/probe?target=a&timeout=1m", limits) ==
        "timeout '1m' is not a duration from 500us to 10s (like 0.5, 500ms, 2s)");
  CHECK(refusal("/probe?target=a&timeout=nan", limits).starts_with("timeout 'nan' is not a duration"));
}

TEST_CASE("monitor query: the duration syntax", "[monitor]") {
  CHECK(parse_probe_duration("1") == 1s);
  CHECK(parse_probe_duration("0.5") == 500ms);
  CHECK(parse_probe_duration("2s") == 2s);
  CHECK(parse_probe_duration("1.25ms") == 1250us);
  CHECK(parse_probe_duration("250us") == 250us);
  CHECK(parse_probe_duration("0.000000001") == 1ns);
  CHECK(parse_probe_duration("86400") == 86400s);
  CHECK_FALSE(parse_probe_duration("86400.000000001"));
  CHECK_FALSE(parse_probe_duration("0.0000000001"));  // below a nanosecond
  CHECK_FALSE(parse_probe_duration(""));
  CHECK_FALSE(parse_probe_duration("s"));
  CHECK_FALSE(parse_probe_duration(".5"));
  CHECK_FALSE(parse_probe_duration("1."));
  CHECK_FALSE(parse_probe_duration("-1"));
  CHECK_FALSE(parse_probe_duration("1e3"));
  CHECK_FALSE(parse_probe_duration("1 s"));
  CHECK_FALSE(parse_probe_duration("1.2.3"));
  CHECK_FALSE(parse_probe_duration("9999999"));
}

TEST_CASE("monitor query: length limits on the request and the target", "[monitor]") {
  ProbeLimits limits;
  limits.max_request_length = 64;
  limits.max_target_length = 10;
  CHECK(parse_probe_query("/probe?target=0123456789", limits).query);
  CHECK(refusal("/probe?target=0123456789a", limits) == "target longer than 10 bytes");
  // Encoded, the target counts decoded.
  CHECK(parse_probe_query("/probe?target=%30%31%32%33%34%35%36%37%38%39", limits).query);
  CHECK(refusal("/probe?target=" + std::string(51, 'x'), limits) == "request target longer than 64 bytes");
}

TEST_CASE("monitor query: a refusal quotes at most 40 bytes of the caller's text", "[monitor]") {
  const std::string error = refusal("/probe?target=a&" + std::string(100, 'k') + "=1");
  CHECK(error == "unknown parameter '" + std::string(40, 'k') + "...'");
}
