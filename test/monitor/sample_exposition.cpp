// Writes sample expositions to stdout for `promtool check metrics` (check_promtool.sh): the
// writer's corner cases by hand (every family type, labels needing escapes, the special values, a
// histogram with an overflow count), then what the monitor serves: render_metrics for a view with
// hostile, IPv6, down and unresolved targets and process figures, and a /probe answer; and that
// document gzipped (check_gzip.sh).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "monitor/exposition.hpp"
#include "monitor/gzip.hpp"
#include "monitor/render.hpp"
#include "../unit/monitor_feed.hpp"

using uping::monitor::test::feed_loss;
using uping::monitor::test::feed_reply;

namespace {

using namespace uping::monitor;
using std::chrono::seconds;

void writer_corner_cases(std::string& out) {
  Exposition exposition(out);
  exposition.family("uping_sample_probes_sent", MetricType::counter,
                    "Echo requests sent, per target.\nSecond line \\ here.");
  exposition.sample({{"target", "198.51.100.7"}, {"address", "198.51.100.7"}, {"family", "ipv4"}}, std::uint64_t{120});
  exposition.sample({{"target", "odd \"name\"\\\nline"}, {"address", "2001:db8::1"}, {"family", "ipv6"}},
                    std::uint64_t{0});
  exposition.family("uping_sample_values", MetricType::gauge, "Special and small values.");
  exposition.sample({{"target", "a"}}, 0.000125);
  exposition.sample({{"target", "b"}}, std::numeric_limits<double>::quiet_NaN());
  exposition.sample({{"target", "c"}}, std::numeric_limits<double>::infinity());
  exposition.sample({{"target", "d"}}, -std::numeric_limits<double>::infinity());
  exposition.sample({{"target", "e"}}, 2.5e-9);

  const std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  const std::vector<std::uint64_t> counts = {3, 10, 40, 7, 0, 0, 1, 0, 0, 0, 0, 2, 1};
  exposition.family("uping_sample_rtt_seconds", MetricType::histogram, "Round-trip times since start.");
  exposition.histogram({{"target", "198.51.100.7"}, {"family", "ipv4"}}, {bounds, counts, 4.0625});
  exposition.histogram({{"target", "empty"}, {"family", "ipv6"}}, {bounds, {}, 0.0});
}

void monitor_metrics(std::string& out, const ExpositionFlush* flush = nullptr) {
  constexpr std::int64_t t0 = 1'700'000'000;
  TargetMetrics steady(3, 2);
  for (int i = 0; i < 20; ++i) feed_reply(steady, 200 + i * 37, 64, seconds(t0 + i), seconds(t0 + i));
  steady.duplicate(250);
  feed_loss(steady, Loss::timeout, std::nullopt, seconds(t0 + 21));
  TargetMetrics down(2, 2);
  feed_reply(down, 40'000'000, 55, seconds(t0), seconds(t0 + 40));
  feed_loss(down, Loss::icmp_error, IcmpErrorKind::host_unreachable, seconds(t0 + 41));
  feed_loss(down, Loss::send_error, std::nullopt, seconds(t0 + 42));
  TargetMetrics fresh(3, 2);
  const std::vector<TargetView> targets = {
      {"db1.example", "198.51.100.7", "ipv4", &steady, 1, 230},
      {"odd \"name\"\\\nline \xFF", "2001:db8::1", "ipv6", &down, 0, std::nullopt},
      {"203.0.113.9", "203.0.113.9", "ipv4", &fresh, 0, std::nullopt},
      {"never.example", "", "", nullptr, 4, std::nullopt},
  };
  const ProcessStats process{0.5, 8'000'000, 120'000'000, 9, 1024, t0 - 3.5};
  const MonitorView view{targets, process, true, t0 + 0.25, "0.0.0-sample"};
  if (flush != nullptr) {
    render_metrics(view, out, *flush);
  } else {
    render_metrics(view, out);
  }
}

void probe_answer(std::string& out) {
  ProbeOutcome outcome;
  outcome.family = uping::icmp::Family::v6;
  outcome.dns_time = std::chrono::microseconds(800);
  outcome.duration = std::chrono::milliseconds(405);
  outcome.sent = 3;
  outcome.received = 2;
  outcome.duplicates = 1;
  outcome.rtts = {300, 410};
  outcome.icmp_errors[static_cast<std::size_t>(IcmpErrorKind::ttl_exceeded)] = 1;
  outcome.last_ttl = 60;
  render_probe(outcome, out);
}

// The same document `times` times over, gzipped as /metrics sends it: written in pieces.
void gzipped_metrics(std::string& out, unsigned long times) {
  GzipWriter gzip(out);
  const ExpositionFlush flush = [&](std::string& text) {
    gzip.write(text);
    text.clear();
  };
  std::string text;
  for (unsigned long i = 0; i < times; ++i) {
    writer_corner_cases(text);
    flush(text);
    monitor_metrics(text, &flush);
  }
  gzip.finish();
}

}  // namespace

// With no argument: the writer's corner cases and /metrics in one document; "probe": a /probe
// answer; "gzip [N]": the document N times (1) over in one gzip member.
int main(int argc, char** argv) {
  std::string out;
  const std::string mode = argc > 1 ? argv[1] : "metrics";
  if (mode == "probe") {
    probe_answer(out);
  } else if (mode == "gzip") {
    gzipped_metrics(out, argc > 2 ? std::stoul(argv[2]) : 1);
  } else {
    writer_corner_cases(out);
    monitor_metrics(out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::ferror(stdout) ? 1 : 0;
}
