// The exposition checker the render tests rely on: it must fail on each fault promtool lets
// through (spec §2.2), or a passing render test would prove nothing.
#include <string>

#include <catch2/catch.hpp>

#include "exposition_checker.hpp"

using uping::test::check_exposition;

namespace {

constexpr const char* kGood =
    "# HELP a_total A counter.\n# TYPE a_total counter\n"
    "a_total{host=\"x\",ip=\"198.51.100.1\"} 3\na_total{host=\"y\",ip=\"198.51.100.2\"} 0\n"
    "# HELP h A histogram.\n# TYPE h histogram\n"
    "h_bucket{host=\"x\",le=\"0.5\"} 1\nh_bucket{host=\"x\",le=\"1\"} 2\nh_bucket{host=\"x\",le=\"+Inf\"} 3\n"
    "h_sum{host=\"x\"} 2.5\nh_count{host=\"x\"} 3\n"
    "# HELP g A gauge.\n# TYPE g gauge\ng{v=\"a\\\\b\\\"c\\nd\"} -Inf\ng{v=\"e\"} NaN\ng 1.5e-05\n";

// Fails, and says something containing `what`.
void check_refused(const std::string& text, const std::string& what) {
  const auto report = check_exposition(text);
  INFO(text);
  INFO(report.text());
  CHECK_FALSE(report.ok());
  CHECK(report.text().find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("monitor exposition checker: a sound exposition passes, values and labels read back", "[monitor]") {
  const auto report = check_exposition(kGood);
  INFO(report.text());
  REQUIRE(report.ok());
  CHECK(report.value("a_total", {{"ip", "198.51.100.1"}, {"host", "x"}}) == 3.0);
  CHECK(report.value("g", {{"v", "a\\b\"c\nd"}}) == -INFINITY);
  CHECK(report.value("g") == 1.5e-05);
  CHECK(report.count("h_bucket") == 3);
  CHECK(report.types.at("h") == "histogram");
}

TEST_CASE("monitor exposition checker: refuses what promtool lets through", "[monitor]") {
  const std::string good = kGood;
  check_refused(good.substr(0, good.size() - 1), "no newline at the end");
  check_refused(good + "a_total{host=\"z\"} 1\n", "split or repeated");
  check_refused(good + "# HELP a_total again\n# TYPE a_total counter\n", "second TYPE");
  check_refused(good + "u 1\n", "without a TYPE");
  check_refused(good + "# TYPE t gauge\nt 1 1700000000000\n", "timestamp");
  check_refused(good + "# TYPE d gauge\nd{a=\"1\"} 1\nd{a=\"1\"} 2\n", "twice");
  check_refused(good + "# TYPE e gauge\ne{a=\"\\q\"} 1\n", "label escape");
  check_refused(good + "# TYPE e gauge\ne{a=\"\xFF\"} 1\n", "not UTF-8");
  check_refused(good + "# TYPE e gauge\ne{a=\"1\",a=\"2\"} 1\n", "twice");
  check_refused(good + "# TYPE e gauge\ne{a=\"1\"} x\n", "bad value");
  check_refused(good + "# TYPE e gauge\ne{a=1} 1\n", "bad labels");
  check_refused(good + "# TYPE c counter\nc 1\n", "does not end in _total");
  check_refused(good + "# TYPE c_total gauge\nc_total 1\n", "ends in _total");
}

TEST_CASE("monitor exposition checker: refuses broken histograms", "[monitor]") {
  const std::string head = "# HELP h h\n# TYPE h histogram\n";
  const std::string tail = "h_sum 1\nh_count 3\n";
  check_refused(head + "h_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 2\nh_bucket{le=\"+Inf\"} 3\n" + tail,
                "not ascending");
  check_refused(head + "h_bucket{le=\"0.5\"} 2\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 3\n" + tail,
                "not cumulative");
  check_refused(head + "h_bucket{le=\"0.5\"} 2\nh_bucket{le=\"1\"} 3\n" + tail, "no le=\"+Inf\"");
  check_refused(head + "h_bucket{le=\"0.5\"} 2\nh_bucket{le=\"+Inf\"} 4\n" + tail, "differs from _count");
  check_refused(head + "h_bucket{le=\"+Inf\"} 3\nh_count 3\n", "no _sum");
  check_refused(head + "h_bucket{le=\"+Inf\",a=\"b\"} 3\nh_sum{a=\"b\"} 1\nh_count{a=\"b\"} 3\n", "le is not the last");
  check_refused(head + "h 3\n", "without _bucket");
}
