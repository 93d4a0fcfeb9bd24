// The Prometheus text exposition writer: exact text for families, escaping, values and histograms.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/exposition.hpp"

using uping::monitor::append_help_text;
using uping::monitor::append_label_value;
using uping::monitor::append_value;
using uping::monitor::Exposition;
using uping::monitor::HistogramSnapshot;
using uping::monitor::Label;
using uping::monitor::MetricType;

namespace {

std::string value_text(double value) {
  std::string out;
  append_value(out, value);
  return out;
}

}  // namespace

TEST_CASE("monitor exposition: a counter and a gauge family", "[monitor]") {
  std::string out;
  Exposition exposition(out);
  exposition.family("uping_probes_sent", MetricType::counter, "Echo requests sent.");
  exposition.sample({{"target", "a.example"}, {"family", "ipv4"}}, std::uint64_t{42});
  exposition.sample({{"target", "b"}, {"family", "ipv6"}}, std::uint64_t{0});
  exposition.family("uping_up", MetricType::gauge, "1 while the target answers.");
  exposition.sample({}, 1.0);
  CHECK(out ==
        "# HELP uping_probes_sent_total Echo requests sent.\n"
        "# TYPE uping_probes_sent_total counter\n"
        "uping_probes_sent_total{target=\"a.example\",family=\"ipv4\"} 42\n"
        "uping_probes_sent_total{target=\"b\",family=\"ipv6\"} 0\n"
        "# HELP uping_up 1 while the target answers.\n"
        "# TYPE uping_up gauge\n"
        "uping_up 1\n");
}

TEST_CASE("monitor exposition: a counter already named _total keeps one suffix", "[monitor]") {
  std::string out;
  Exposition exposition(out);
  exposition.family("x_total", MetricType::counter, "h");
  exposition.sample({}, std::uint64_t{3});
  CHECK(out == "# HELP x_total h\n# TYPE x_total counter\nx_total 3\n");
}

TEST_CASE("monitor exposition: label values escape backslash, quote and newline only", "[monitor]") {
  std::string out;
  append_label_value(out, "a\\b\"c\nd\te'f");
  CHECK(out == "a\\\\b\\\"c\\nd\te'f");
  std::string line;
  Exposition exposition(line);
  exposition.family("g", MetricType::gauge, "h");
  exposition.sample({{"target", "x\"}\n"}}, 2.0);
  CHECK(line == "# HELP g h\n# TYPE g gauge\ng{target=\"x\\\"}\\n\"} 2\n");
}

TEST_CASE("monitor exposition: HELP text escapes backslash and newline, not quotes", "[monitor]") {
  std::string out;
  append_help_text(out, "one\\two\n\"three\"");
  CHECK(out == "one\\\\two\\n\"three\"");
}

TEST_CASE("monitor exposition: values as Prometheus parses them", "[monitor]") {
  CHECK(value_text(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(value_text(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(value_text(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(value_text(0.0) == "0");
  CHECK(value_text(-0.0) == "0");
  CHECK(value_text(1e6) == "1000000");
  CHECK(value_text(-17.0) == "-17");
  CHECK(value_text(9007199254740992.0) == "9007199254740992");
  CHECK(value_text(0.25) == "0.25");
  CHECK(value_text(0.1) == "0.1");
  CHECK(value_text(1e-5) == "1e-05");
  CHECK(value_text(0.0001) == "0.0001");
  CHECK(value_text(0.0005) == "0.0005");
  CHECK(value_text(-2.5e-7) == "-2.5e-07");
  CHECK(value_text(1234567.125) == "1234567.125");
  CHECK(value_text(1e20) == "1e+20");
  CHECK(value_text(1.5e300) == "1.5e+300");
  CHECK(value_text(123.456) == "123.456");
  std::string big;
  append_value(big, std::numeric_limits<std::uint64_t>::max());
  CHECK(big == "18446744073709551615");
}

TEST_CASE("monitor exposition: every finite value reads back as the same double", "[monitor]") {
  for (const double value : {0.1, 1.0 / 3.0, 2.5e-9, 6.02214076e23, 4.9e-324, 1.7976931348623157e308}) {
    CHECK(std::strtod(value_text(value).c_str(), nullptr) == value);
  }
}

TEST_CASE("monitor exposition: a histogram is cumulative with +Inf, _sum and _count", "[monitor]") {
  const std::vector<double> bounds = {0.0005, 0.001, 0.5, 1.0};
  const std::vector<std::uint64_t> counts = {1, 0, 5, 2, 3};  // the last: above 1 s
  std::string out;
  Exposition exposition(out);
  exposition.family("rtt_seconds", MetricType::histogram, "Round trips.");
  exposition.histogram({{"target", "t"}}, HistogramSnapshot{bounds, counts, 7.25});
  CHECK(out ==
        "# HELP rtt_seconds Round trips.\n"
        "# TYPE rtt_seconds histogram\n"
        "rtt_seconds_bucket{target=\"t\",le=\"0.0005\"} 1\n"
        "rtt_seconds_bucket{target=\"t\",le=\"0.001\"} 1\n"
        "rtt_seconds_bucket{target=\"t\",le=\"0.5\"} 6\n"
        "rtt_seconds_bucket{target=\"t\",le=\"1\"} 8\n"
        "rtt_seconds_bucket{target=\"t\",le=\"+Inf\"} 11\n"
        "rtt_seconds_sum{target=\"t\"} 7.25\n"
        "rtt_seconds_count{target=\"t\"} 11\n");
}

TEST_CASE("monitor exposition: a histogram without labels or overflow count", "[monitor]") {
  const std::vector<double> bounds = {1.0, 2.0};
  const std::vector<std::uint64_t> counts = {4, 1};
  std::string out;
  Exposition exposition(out);
  exposition.family("h", MetricType::histogram, "");
  exposition.histogram({}, HistogramSnapshot{bounds, counts, 6.0});
  CHECK(out ==
        "# HELP h \n# TYPE h histogram\n"
        "h_bucket{le=\"1\"} 4\nh_bucket{le=\"2\"} 5\nh_bucket{le=\"+Inf\"} 5\nh_sum 6\nh_count 5\n");
}

TEST_CASE("monitor exposition: no timestamps, every line ends in a newline", "[monitor]") {
  const std::vector<double> bounds = {0.1};
  const std::vector<std::uint64_t> counts = {1, 1};
  std::string out;
  Exposition exposition(out);
  exposition.family("c", MetricType::counter, "h");
  exposition.sample({{"a", "1 2 3"}}, std::uint64_t{5});
  exposition.family("h", MetricType::histogram, "h");
  exposition.histogram({{"a", "b"}}, HistogramSnapshot{bounds, counts, 0.3});
  REQUIRE(out.back() == '\n');
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.starts_with('#')) continue;
    // name{labels} value: after the closing brace (or the name) exactly one field.
    const std::size_t brace = line.rfind('}');
    const std::string tail = line.substr(brace == std::string::npos ? 0 : brace + 1);
    const std::size_t first_space = tail.find(' ');
    CHECK(tail.find(' ', first_space + 1) == std::string::npos);
  }
}

TEST_CASE("monitor exposition: name checks", "[monitor]") {
  CHECK(uping::monitor::valid_metric_name("uping_probe:rate_5m"));
  CHECK_FALSE(uping::monitor::valid_metric_name("5xx"));
  CHECK_FALSE(uping::monitor::valid_metric_name(""));
  CHECK_FALSE(uping::monitor::valid_metric_name("a-b"));
  CHECK(uping::monitor::valid_label_name("target"));
  CHECK(uping::monitor::valid_label_name("_x1"));
  CHECK_FALSE(uping::monitor::valid_label_name("__name__"));
  CHECK_FALSE(uping::monitor::valid_label_name("a:b"));
  CHECK_FALSE(uping::monitor::valid_label_name("1a"));
}

TEST_CASE("monitor exposition: appends to what the string holds", "[monitor]") {
  std::string out = "prefix\n";
  Exposition exposition(out);
  exposition.family("g", MetricType::gauge, "h");
  CHECK(out.starts_with("prefix\n# HELP g h\n"));
}

TEST_CASE("monitor exposition: label values that are not UTF-8 get U+FFFD per bad byte", "[monitor]") {
  const auto escaped = [](std::string_view value) {
    std::string out;
    append_label_value(out, value);
    return out;
  };
  CHECK(escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(escaped("a\xFFz") == "a\xEF\xBF\xBDz");
  CHECK(escaped("\xC3") == "\xEF\xBF\xBD");                                                  // cut short
  CHECK(escaped("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                                  // overlong '/'
  CHECK(escaped("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                  // a surrogate
  CHECK(escaped("\xF4\x90\x80\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // above U+10FFFF
  CHECK(escaped("\x80\"\n") == "\xEF\xBF\xBD\\\"\\n");
  // A sequence cut short by a character to escape: each byte alone, then the escape.
  CHECK(escaped("\xE2\x82\"\xC3\n\\\xC3\xA9") == "\xEF\xBF\xBD\xEF\xBF\xBD\\\"\xEF\xBF\xBD\\n\\\\\xC3\xA9");
}
