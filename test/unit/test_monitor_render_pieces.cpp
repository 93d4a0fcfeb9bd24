// /metrics rendered in pieces (render_metrics with a flush): the pieces, concatenated, are the
// very text of the one-string render, each cut after a whole series; and through GzipWriter, as
// the engine sends it, the gzip body reads back to that text.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "exposition_checker.hpp"
#include "gunzip.hpp"
#include "monitor/gzip.hpp"
#include "monitor/render.hpp"
#include "monitor_feed.hpp"

using std::chrono::seconds;
using uping::monitor::Exposition;
using uping::monitor::GzipWriter;
using uping::monitor::IcmpErrorKind;
using uping::monitor::Loss;
using uping::monitor::MetricType;
using uping::monitor::MonitorView;
using uping::monitor::ProcessStats;
using uping::monitor::render_metrics;
using uping::monitor::TargetMetrics;
using uping::monitor::TargetView;
using uping::monitor::test::feed_loss;
using uping::monitor::test::feed_reply;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000;

// Many targets, unlike each other: replies over the whole bucket range, losses of each kind, down
// ones, hostile and unresolved names, IPv6.
struct ManyTargets {
  explicit ManyTargets(std::size_t count) {
    metrics.reserve(count);
    hosts.reserve(count);
    ips.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      TargetMetrics& m = metrics.emplace_back(3, 2);
      const auto n = static_cast<std::int64_t>(i);
      for (std::int64_t k = 0; k < static_cast<std::int64_t>(i % 13); ++k) {
        feed_reply(m, 30 + (n * 7919 + k * 104729) % 3'000'000, 64 - static_cast<int>(k), seconds(kT0 + k),
                   seconds(kT0 + k));
      }
      if (i % 5 == 0) feed_loss(m, Loss::icmp_error, IcmpErrorKind::host_unreachable, seconds(kT0 + 20));
      if (i % 7 == 0) {
        for (int k = 0; k < 3; ++k) feed_loss(m, Loss::timeout, std::nullopt, seconds(kT0 + 21 + k));  // down
      }
      if (i % 11 == 0) m.duplicate(99);
      hosts.push_back(i % 17 == 0 ? "we\"ird\\" + std::to_string(i) + "\n\xFF" : "host-" + std::to_string(i));
      const bool v6 = i % 3 == 0;
      ips.push_back(v6 ? "2001:db8::" + std::to_string(i) : "198.51.100." + std::to_string(i % 256));
      if (i % 19 == 0) {
        views.push_back({hosts.back(), "", "", nullptr, i, std::nullopt});  // never resolved
      } else {
        views.push_back({hosts.back(), ips.back(), v6 ? "ipv6" : "ipv4", &m, 0, 42});
      }
    }
  }
  MonitorView view() const {
    return MonitorView{views, ProcessStats{1.5, 18'000'000, 90'000'000, 11, 1024, kT0 - 1.0}, true, kT0 + 0.5,
                       "0.0.0-test"};
  }

  std::vector<TargetMetrics> metrics;
  std::vector<std::string> hosts;
  std::vector<std::string> ips;
  std::vector<TargetView> views;
};

std::string last_line(const std::string& piece) {
  const std::size_t start = piece.rfind('\n', piece.size() - 2);
  return piece.substr(start == std::string::npos ? 0 : start + 1);
}

}  // namespace

TEST_CASE("monitor render in pieces: the same text, cut after whole series near 64 KiB", "[monitor]") {
  const ManyTargets many(600);
  std::string whole;
  render_metrics(many.view(), whole);
  const auto report = uping::test::check_exposition(whole);
  INFO(report.text());
  REQUIRE(report.ok());

  std::vector<std::string> pieces;
  std::string buffer = "";
  render_metrics(many.view(), buffer, [&](std::string& out) {
    pieces.push_back(out);
    out.clear();
  });
  CHECK(buffer.empty());  // the rest was flushed at the end
  REQUIRE(pieces.size() > 5);
  std::string joined;
  for (const std::string& piece : pieces) joined += piece;
  CHECK(joined == whole);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    INFO("piece " << i << " of " << pieces.size() << ", " << pieces[i].size() << " bytes");
    REQUIRE(!pieces[i].empty());
    CHECK(pieces[i].back() == '\n');
    if (i + 1 < pieces.size()) CHECK(pieces[i].size() >= Exposition::kFlushAt);
    CHECK(pieces[i].size() < Exposition::kFlushAt + 8192);  // passed by one series at most
    // Never inside a histogram: its _bucket lines, _sum and _count go together.
    const std::string last = last_line(pieces[i]);
    CHECK(last.find("_bucket{") == std::string::npos);
    CHECK(last.find("_sum{") == std::string::npos);
  }
}

TEST_CASE("monitor render in pieces: a flush after every series when asked", "[monitor]") {
  std::vector<std::string> pieces;
  std::string out;
  Exposition exposition(
      out,
      [&](std::string& text) {
        pieces.push_back(text);
        text.clear();
      },
      1);
  exposition.family("a", MetricType::counter, "A.");
  exposition.sample({{"x", "1"}}, std::uint64_t{1});
  exposition.family("h", MetricType::histogram, "H.");
  const std::vector<double> bounds = {0.5, 1};
  const std::vector<std::uint64_t> counts = {1, 2, 3};
  exposition.histogram({{"x", "1"}}, {bounds, counts, 4.5});
  REQUIRE(pieces.size() == 2);
  CHECK(pieces[0] == "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 1\n");
  CHECK(pieces[1] ==
        "# HELP h H.\n# TYPE h histogram\nh_bucket{x=\"1\",le=\"0.5\"} 1\nh_bucket{x=\"1\",le=\"1\"} 3\n"
        "h_bucket{x=\"1\",le=\"+Inf\"} 6\nh_sum{x=\"1\"} 4.5\nh_count{x=\"1\"} 6\n");
  CHECK(out.empty());
}

TEST_CASE("monitor render in pieces: through GzipWriter, as /metrics sends it to Prometheus", "[monitor]") {
  const ManyTargets many(300);
  std::string whole;
  render_metrics(many.view(), whole);

  std::string body;
  GzipWriter gzip(body);
  std::string buffer;
  std::size_t largest = 0;
  render_metrics(many.view(), buffer, [&](std::string& text) {
    largest = std::max(largest, text.size());
    gzip.write(text);
    text.clear();
  });
  gzip.finish();
  CHECK(largest < whole.size() / 4);  // never the whole text at once
  CHECK(body.size() < whole.size() / 5);
  CHECK(uping::test::gunzip(body) == whole);
}
