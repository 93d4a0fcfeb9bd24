// Rendering: exact text of /metrics, /probe and / for a small view, and every exposition through
// the format checker (exposition_checker.hpp): hostile host names, IPv6, never-resolved names,
// down targets, the counter invariant.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "exposition_checker.hpp"
#include "monitor/render.hpp"

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;
using uping::icmp::Family;
using uping::monitor::IcmpErrorKind;
using uping::monitor::Loss;
using uping::monitor::MonitorView;
using uping::monitor::ProbeOutcome;
using uping::monitor::ProcessStats;
using uping::monitor::render_metrics;
using uping::monitor::render_probe;
using uping::monitor::render_status_page;
using uping::monitor::TargetMetrics;
using uping::monitor::TargetView;
using uping::test::check_exposition;
using uping::test::ExpositionReport;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000;

// Target "a": replies of 50 and 300 µs (TTL 64, then 63), a timeout, a host unreachable.
TargetMetrics small_target() {
  TargetMetrics a(3, 2);
  a.reply(50, 64, seconds(kT0), seconds(kT0) + microseconds(50));
  a.reply(300, 63, seconds(kT0 + 1), milliseconds(kT0 * 1000 + 1250));
  a.loss(Loss::timeout, std::nullopt, seconds(kT0 + 2));
  a.loss(Loss::icmp_error, IcmpErrorKind::host_unreachable, seconds(kT0 + 3));
  return a;
}

ExpositionReport checked(const std::string& text) {
  ExpositionReport report = check_exposition(text);
  INFO(text);
  INFO(report.text());
  CHECK(report.ok());
  return report;
}

}  // namespace

TEST_CASE("monitor render: /metrics of a small view, exactly", "[monitor]") {
  const TargetMetrics a = small_target();
  const std::vector<TargetView> targets = {
      {"a", "198.51.100.1", "ipv4", &a, 0, 300},
      {"nowhere.invalid", "", "", nullptr, 2, std::nullopt},
  };
  const MonitorView view{targets, std::nullopt, true, kT0 + 0.5, "1.2.3"};
  std::string out;
  render_metrics(view, out);
  CHECK(out == R"(# HELP smokeping_requests_total Probes settled: replies, timeouts, ICMP errors and send errors.
# TYPE smokeping_requests_total counter
smokeping_requests_total{host="a",ip="198.51.100.1",family="ipv4"} 4
# HELP smokeping_response_duration_seconds Round-trip time of each first reply (duplicates not observed).
# TYPE smokeping_response_duration_seconds histogram
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="5e-05"} 1
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0001"} 1
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0002"} 1
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0004"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0008"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0016"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0032"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0064"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0128"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0256"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.0512"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.1024"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.2048"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.4096"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="0.8192"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="1.6384"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="3.2768"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="6.5536"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="13.1072"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="26.2144"} 2
smokeping_response_duration_seconds_bucket{host="a",ip="198.51.100.1",family="ipv4",le="+Inf"} 2
smokeping_response_duration_seconds_sum{host="a",ip="198.51.100.1",family="ipv4"} 0.00035
smokeping_response_duration_seconds_count{host="a",ip="198.51.100.1",family="ipv4"} 2
# HELP smokeping_response_ttl TTL (hop limit) of the last reply.
# TYPE smokeping_response_ttl gauge
smokeping_response_ttl{host="a",ip="198.51.100.1",family="ipv4"} 63
# HELP smokeping_response_duplicates_total Duplicate replies.
# TYPE smokeping_response_duplicates_total counter
smokeping_response_duplicates_total{host="a",ip="198.51.100.1",family="ipv4"} 0
# HELP smokeping_send_errors_total Probes the socket refused to send (counted as lost).
# TYPE smokeping_send_errors_total counter
smokeping_send_errors_total{host="a",ip="198.51.100.1",family="ipv4"} 0
# HELP uping_timeouts_total Probes with neither a reply nor an ICMP error within the timeout.
# TYPE uping_timeouts_total counter
uping_timeouts_total{host="a",ip="198.51.100.1",family="ipv4"} 1
# HELP uping_icmp_errors_total Probes settled by an ICMP error, by kind.
# TYPE uping_icmp_errors_total counter
uping_icmp_errors_total{host="a",ip="198.51.100.1",family="ipv4",type="host_unreachable"} 1
# HELP uping_up 1 while the target is up by the outage rule, 0 in an outage or before its name resolved.
# TYPE uping_up gauge
uping_up{host="a",ip="198.51.100.1",family="ipv4"} 1
uping_up{host="nowhere.invalid"} 0
# HELP uping_outages_total Outages started.
# TYPE uping_outages_total counter
uping_outages_total{host="a",ip="198.51.100.1",family="ipv4"} 0
# HELP uping_jitter_seconds RFC 3550 smoothed jitter of the first replies' round-trip times.
# TYPE uping_jitter_seconds gauge
uping_jitter_seconds{host="a",ip="198.51.100.1",family="ipv4"} 1.5625e-05
# HELP uping_last_reply_timestamp_seconds Unix time of the last first reply.
# TYPE uping_last_reply_timestamp_seconds gauge
uping_last_reply_timestamp_seconds{host="a",ip="198.51.100.1",family="ipv4"} 1700000001.25
# HELP uping_resolve_failures_total Failed resolutions (first and periodic) of a target's name.
# TYPE uping_resolve_failures_total counter
uping_resolve_failures_total{host="a"} 0
uping_resolve_failures_total{host="nowhere.invalid"} 2
# HELP uping_targets Targets configured.
# TYPE uping_targets gauge
uping_targets 2
# HELP uping_build_info Always 1; the version label says which uping.
# TYPE uping_build_info gauge
uping_build_info{version="1.2.3"} 1
# HELP uping_config_last_reload_successful 1 when the last reload of --file succeeded (or none was asked), else 0.
# TYPE uping_config_last_reload_successful gauge
uping_config_last_reload_successful 1
# HELP uping_config_last_reload_success_timestamp_seconds Unix time of the last successful reload, or of the start.
# TYPE uping_config_last_reload_success_timestamp_seconds gauge
uping_config_last_reload_success_timestamp_seconds 1700000000.5
)");
  checked(out);
}

TEST_CASE("monitor render: a /probe answer, exactly", "[monitor]") {
  ProbeOutcome outcome;
  outcome.family = Family::v4;
  outcome.dns_time = microseconds(1500);
  outcome.duration = milliseconds(412);
  outcome.sent = 3;
  outcome.received = 2;
  outcome.rtts = {400, 250};
  outcome.last_ttl = 64;
  outcome.icmp_errors[static_cast<std::size_t>(IcmpErrorKind::port_unreachable)] = 1;
  std::string out;
  render_probe(outcome, out);
  CHECK(out == R"(# HELP probe_success 1 when at least one echo request got a reply.
# TYPE probe_success gauge
probe_success 1
# HELP probe_duration_seconds Time the probe took, name resolution included.
# TYPE probe_duration_seconds gauge
probe_duration_seconds 0.412
# HELP probe_ip_protocol IP version probed: 4 or 6 (0 when the name did not resolve).
# TYPE probe_ip_protocol gauge
probe_ip_protocol 4
# HELP probe_dns_lookup_time_seconds Time the name resolution took.
# TYPE probe_dns_lookup_time_seconds gauge
probe_dns_lookup_time_seconds 0.0015
# HELP probe_dns_lookup_failed 1 when the target's name did not resolve.
# TYPE probe_dns_lookup_failed gauge
probe_dns_lookup_failed 0
# HELP probe_icmp_packets_sent Echo requests of this probe, send failures included.
# TYPE probe_icmp_packets_sent gauge
probe_icmp_packets_sent 3
# HELP probe_icmp_packets_received Echo requests answered (first replies).
# TYPE probe_icmp_packets_received gauge
probe_icmp_packets_received 2
# HELP probe_icmp_duplicates Duplicate replies.
# TYPE probe_icmp_duplicates gauge
probe_icmp_duplicates 0
# HELP probe_icmp_loss_ratio Fraction of the echo requests without a reply.
# TYPE probe_icmp_loss_ratio gauge
probe_icmp_loss_ratio 0.3333333333333333
# HELP probe_icmp_rtt_seconds Round-trip times of the replies, by statistic.
# TYPE probe_icmp_rtt_seconds gauge
probe_icmp_rtt_seconds{stat="min"} 0.00025
probe_icmp_rtt_seconds{stat="avg"} 0.000325
probe_icmp_rtt_seconds{stat="max"} 0.0004
probe_icmp_rtt_seconds{stat="mdev"} 7.5e-05
probe_icmp_rtt_seconds{stat="p50"} 0.00025
probe_icmp_rtt_seconds{stat="p90"} 0.0004
probe_icmp_rtt_seconds{stat="p99"} 0.0004
# HELP probe_icmp_errors Echo requests answered by an ICMP error, by kind.
# TYPE probe_icmp_errors gauge
probe_icmp_errors{type="port_unreachable"} 1
# HELP probe_icmp_reply_hop_limit TTL (hop limit) of the last reply.
# TYPE probe_icmp_reply_hop_limit gauge
probe_icmp_reply_hop_limit 64
)");
  checked(out);
}

TEST_CASE("monitor render: the status page, exactly", "[monitor]") {
  const TargetMetrics a = small_target();
  const std::vector<TargetView> targets = {
      {"a", "198.51.100.1", "ipv4", &a, 0, 300},
      {"nowhere.invalid", "", "", nullptr, 2, std::nullopt},
  };
  const MonitorView view{targets, std::nullopt, true, kT0 + 0.5, "1.2.3"};
  std::string out;
  render_status_page(view, out);
  CHECK(out == R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>uping monitor</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:right}td:first-child,td:nth-child(2){text-align:left}.up{color:#060}.down{color:#b00;font-weight:bold}</style>
</head>
<body>
<h1>uping monitor</h1>
<p>uping 1.2.3 &middot; 2 targets &middot; <a href="metrics">metrics</a></p>
<table>
<tr><th>host</th><th>ip</th><th>state</th><th>last RTT (ms)</th><th>probes</th><th>replies</th><th>timeouts</th><th>ICMP errors</th><th>send errors</th><th>outages</th><th>resolve failures</th></tr>
<tr><td>a</td><td>198.51.100.1</td><td class="up">up</td><td>0.300</td><td>4</td><td>2</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>nowhere.invalid</td><td>-</td><td class="down">unresolved</td><td>-</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>
</table>
</body>
</html>
)");
}

TEST_CASE("monitor render: hostile names, IPv6, down and unresolved targets pass the format checker", "[monitor]") {
  TargetMetrics v4(1, 1);
  for (int i = 0; i < 50; ++i) v4.reply(40 + i * 997, 64, seconds(kT0 + i), seconds(kT0 + i));
  v4.duplicate(70);
  v4.loss(Loss::send_error, std::nullopt, seconds(kT0 + 60));  // down (N = 1)
  TargetMetrics v6(3, 2);
  v6.reply(30'000'000, 57, seconds(kT0), seconds(kT0 + 30));  // above the last bucket
  v6.loss(Loss::icmp_error, IcmpErrorKind::packet_too_big, seconds(kT0 + 31));
  v6.loss(Loss::icmp_error, IcmpErrorKind::admin_prohibited, seconds(kT0 + 32));
  v6.loss(Loss::timeout, std::nullopt, seconds(kT0 + 33));
  TargetMetrics fresh(3, 2);
  const std::string hostile = "we\"ird\\name\nline \xFF\xC3 end";
  const std::string hostile_unresolved = hostile + "2";
  const std::vector<TargetView> targets = {
      {hostile, "198.51.100.7", "ipv4", &v4, 0, 70},
      {"v6.example", "2001:db8::1", "ipv6", &v6, 1, std::nullopt},
      {"never.example", "", "", nullptr, 9, std::nullopt},
      {"2001:db8::2", "2001:db8::2", "ipv6", &fresh, 0, std::nullopt},
      {hostile_unresolved, "", "", nullptr, 0, std::nullopt},
  };
  const ProcessStats process{1.25, 12'345'678, 98'765'432, 12, 1024, kT0 - 0.25};
  const MonitorView view{targets, process, false, kT0 + 0.125, "0.9.0-rc1"};
  std::string out;
  render_metrics(view, out);
  const ExpositionReport report = checked(out);

  // The host label came back intact, its bad bytes as U+FFFD.
  const std::string shown = "we\"ird\\name\nline \xEF\xBF\xBD\xEF\xBF\xBD end";
  CHECK(report.value("uping_up", {{"host", shown}, {"ip", "198.51.100.7"}, {"family", "ipv4"}}) == 0.0);
  CHECK(report.value("uping_up", {{"host", "v6.example"}, {"ip", "2001:db8::1"}, {"family", "ipv6"}}) == 0.0);
  CHECK(report.value("uping_up", {{"host", "2001:db8::2"}, {"ip", "2001:db8::2"}, {"family", "ipv6"}}) == 1.0);
  CHECK(report.value("uping_outages_total", {{"host", "v6.example"}, {"ip", "2001:db8::1"}, {"family", "ipv6"}}) ==
        1.0);
  CHECK(report.value("uping_up", {{"host", "never.example"}}) == 0.0);
  CHECK(report.value("uping_resolve_failures_total", {{"host", "never.example"}}) == 9.0);
  CHECK_FALSE(report.value("uping_resolve_failures_total", {{"host", "2001:db8::2"}}));  // an address never fails
  // The unresolved names have no series but those two.
  for (const auto& sample : report.samples) {
    for (const auto& [label, value] : sample.labels) {
      if (value == "never.example") CHECK((sample.name == "uping_up" || sample.name == "uping_resolve_failures_total"));
    }
  }
  // Series appear at 0 before anything happened, but TTL, jitter and last reply only once known.
  const std::vector<std::pair<std::string, std::string>> fresh_labels = {
      {"host", "2001:db8::2"}, {"ip", "2001:db8::2"}, {"family", "ipv6"}};
  CHECK(report.value("smokeping_requests_total", fresh_labels) == 0.0);
  CHECK(report.value("smokeping_response_duration_seconds_count", fresh_labels) == 0.0);
  CHECK_FALSE(report.value("smokeping_response_ttl", fresh_labels));
  CHECK_FALSE(report.value("uping_jitter_seconds", fresh_labels));
  CHECK_FALSE(report.value("uping_last_reply_timestamp_seconds", fresh_labels));
  // ICMP error types only once seen.
  CHECK(report.count("uping_icmp_errors_total") == 2);
  CHECK(report.value("uping_icmp_errors_total",
                     {{"host", "v6.example"}, {"ip", "2001:db8::1"}, {"family", "ipv6"}, {"type", "packet_too_big"}}) ==
        1.0);
  // The overflow RTT counts in +Inf only.
  const std::vector<std::pair<std::string, std::string>> v6_labels = {
      {"host", "v6.example"}, {"ip", "2001:db8::1"}, {"family", "ipv6"}};
  auto with_le = [](auto labels, std::string le) {
    labels.emplace_back("le", std::move(le));
    return labels;
  };
  CHECK(report.value("smokeping_response_duration_seconds_bucket", with_le(v6_labels, "26.2144")) == 0.0);
  CHECK(report.value("smokeping_response_duration_seconds_bucket", with_le(v6_labels, "+Inf")) == 1.0);
  CHECK(report.value("smokeping_response_duration_seconds_sum", v6_labels) == 30.0);
  // The invariant, for every resolved target.
  for (const auto& labels : {v6_labels, fresh_labels,
                             std::vector<std::pair<std::string, std::string>>{
                                 {"host", shown}, {"ip", "198.51.100.7"}, {"family", "ipv4"}}}) {
    double icmp = 0;
    for (const auto& sample : report.samples) {
      if (sample.name != "uping_icmp_errors_total") continue;
      auto without_type = sample.labels;
      std::erase_if(without_type, [](const auto& label) { return label.first == "type"; });
      if (without_type == labels) icmp += sample.value;
    }
    CHECK(*report.value("smokeping_requests_total", labels) ==
          *report.value("smokeping_response_duration_seconds_count", labels) +
              *report.value("uping_timeouts_total", labels) + icmp +
              *report.value("smokeping_send_errors_total", labels));
  }
  CHECK(report.value("uping_targets") == 5.0);
  CHECK(report.value("uping_build_info", {{"version", "0.9.0-rc1"}}) == 1.0);
  CHECK(report.value("uping_config_last_reload_successful") == 0.0);
  CHECK(report.value("uping_config_last_reload_success_timestamp_seconds") == kT0 + 0.125);
  CHECK(report.value("process_cpu_seconds_total") == 1.25);
  CHECK(report.value("process_resident_memory_bytes") == 12'345'678.0);
  CHECK(report.value("process_max_fds") == 1024.0);
  CHECK(report.types.at("process_cpu_seconds_total") == "counter");
  CHECK(report.types.at("smokeping_response_duration_seconds") == "histogram");
}

TEST_CASE("monitor render: no targets is still a sound exposition", "[monitor]") {
  const MonitorView view{{}, std::nullopt, true, 0, "1"};
  std::string out;
  render_metrics(view, out);
  const ExpositionReport report = checked(out);
  CHECK(report.value("uping_targets") == 0.0);
  CHECK(out.find("smokeping_") == std::string::npos);
}

TEST_CASE("monitor render: /metrics appends to the caller's buffer", "[monitor]") {
  const MonitorView view{{}, std::nullopt, true, 0, "1"};
  std::string out = "kept\n";
  render_metrics(view, out);
  CHECK(out.starts_with("kept\n# HELP "));
}

TEST_CASE("monitor render: /probe without a reply, and with a name that did not resolve", "[monitor]") {
  ProbeOutcome lost;
  lost.family = Family::v6;
  lost.sent = 3;
  lost.icmp_errors[static_cast<std::size_t>(IcmpErrorKind::net_unreachable)] = 2;
  std::string out;
  render_probe(lost, out);
  ExpositionReport report = checked(out);
  CHECK(report.value("probe_success") == 0.0);
  CHECK(report.value("probe_ip_protocol") == 6.0);
  CHECK(report.value("probe_icmp_loss_ratio") == 1.0);
  CHECK(report.count("probe_icmp_rtt_seconds") == 0);
  CHECK_FALSE(report.value("probe_icmp_reply_hop_limit"));
  CHECK(report.value("probe_icmp_errors", {{"type", "net_unreachable"}}) == 2.0);

  ProbeOutcome unresolved;
  unresolved.dns_failed = true;
  unresolved.dns_time = milliseconds(20);
  unresolved.duration = milliseconds(21);
  out.clear();
  render_probe(unresolved, out);
  report = checked(out);
  CHECK(report.value("probe_success") == 0.0);
  CHECK(report.value("probe_dns_lookup_failed") == 1.0);
  CHECK(report.value("probe_ip_protocol") == 0.0);
  CHECK(report.value("probe_icmp_packets_sent") == 0.0);
  CHECK(report.value("probe_icmp_loss_ratio") == 1.0);  // nothing sent is all lost, not 0/0
  CHECK(report.count("probe_icmp_errors") == 0);
}

TEST_CASE("monitor render: /probe percentiles by nearest rank over the RTTs", "[monitor]") {
  ProbeOutcome outcome;
  outcome.family = Family::v4;
  outcome.sent = 100;
  outcome.received = 100;
  for (int i = 100; i >= 1; --i) outcome.rtts.push_back(i * 10);  // 10 .. 1000 µs, unsorted
  std::string out;
  render_probe(outcome, out);
  const ExpositionReport report = checked(out);
  CHECK(report.value("probe_icmp_rtt_seconds", {{"stat", "min"}}) == 10e-6);
  CHECK(report.value("probe_icmp_rtt_seconds", {{"stat", "max"}}) == 1000e-6);
  CHECK(report.value("probe_icmp_rtt_seconds", {{"stat", "avg"}}) == 505e-6);
  CHECK(report.value("probe_icmp_rtt_seconds", {{"stat", "p50"}}) == 500e-6);
  CHECK(report.value("probe_icmp_rtt_seconds", {{"stat", "p90"}}) == 900e-6);
  CHECK(report.value("probe_icmp_rtt_seconds", {{"stat", "p99"}}) == 990e-6);
  CHECK(report.value("probe_icmp_loss_ratio") == 0.0);
  // One reply: every statistic is that reply (mdev 0).
  ProbeOutcome one;
  one.family = Family::v4;
  one.sent = 3;
  one.received = 1;
  one.rtts = {1234};
  out.clear();
  render_probe(one, out);
  const ExpositionReport single = checked(out);
  for (const char* stat : {"min", "avg", "max", "p50", "p90", "p99"}) {
    CHECK(single.value("probe_icmp_rtt_seconds", {{"stat", stat}}) == 1234e-6);
  }
  CHECK(single.value("probe_icmp_rtt_seconds", {{"stat", "mdev"}}) == 0.0);
  CHECK(*single.value("probe_icmp_loss_ratio") == Approx(2.0 / 3.0));
}

TEST_CASE("monitor render: the status page escapes every string and runs nothing", "[monitor]") {
  TargetMetrics down(1, 1);
  down.loss(Loss::timeout, std::nullopt, seconds(1));
  const std::vector<TargetView> targets = {
      {"<script>alert('x')</script>&\"\xFF\x01", "198.51.100.9", "ipv4", &down, 0, std::nullopt},
  };
  const MonitorView view{targets, std::nullopt, false, 0, "<b>"};
  std::string out;
  render_status_page(view, out);
  CHECK(out.find("<script") == std::string::npos);
  CHECK(out.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\xEF\xBF\xBD?") != std::string::npos);
  CHECK(out.find("uping &lt;b&gt;") != std::string::npos);
  CHECK(out.find(R"(<td class="down">down</td>)") != std::string::npos);
  CHECK(out.find("last reload failed") != std::string::npos);
  CHECK(out.find("1 target ") != std::string::npos);
  CHECK(out.find("src=") == std::string::npos);
  CHECK(out.find("http") == std::string::npos);  // no external resource
  CHECK(out.ends_with("</html>\n"));
}
