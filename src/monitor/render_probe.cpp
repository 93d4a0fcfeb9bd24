// render_probe: one /probe answer, blackbox_exporter's shape (gauges, no _total: a probe is a
// one-shot).
#include <algorithm>
#include <array>
#include <vector>

#include "monitor/exposition.hpp"
#include "monitor/render.hpp"
#include "uping/rtt_statistics.hpp"

namespace uping::monitor {
namespace {

constexpr double kMicrosPerSecond = 1e6;
constexpr double kNanosPerSecond = 1e9;

double seconds_of(std::chrono::nanoseconds duration) { return static_cast<double>(duration.count()) / kNanosPerSecond; }
double seconds_of(Micros micros) { return static_cast<double>(micros) / kMicrosPerSecond; }

void rtt_figures(Exposition& exposition, std::span<const Micros> rtts) {
  std::vector<Micros> sorted(rtts.begin(), rtts.end());
  for (Micros& rtt : sorted) rtt = std::max<Micros>(rtt, 0);
  std::sort(sorted.begin(), sorted.end());
  // min/avg/max/mdev with iputils' arithmetic, as every other uping face prints them.
  RttMoments moments;
  for (const Micros rtt : sorted) moments.record(rtt);
  const RttSummary summary = moments.summary().value_or(RttSummary{});
  // Percentiles of nearest rank over the exact RTTs (a probe holds at most a hundred).
  const auto percentile = [&](double p) { return sorted[RttHistogram::nearest_rank(p, sorted.size()) - 1]; };
  const std::array<std::pair<std::string_view, Micros>, 7> stats = {{{"min", summary.min},
                                                                     {"avg", summary.avg},
                                                                     {"max", summary.max},
                                                                     {"mdev", summary.mdev},
                                                                     {"p50", percentile(50)},
                                                                     {"p90", percentile(90)},
                                                                     {"p99", percentile(99)}}};
  exposition.family("probe_icmp_rtt_seconds", MetricType::gauge, "Round-trip times of the replies, by statistic.");
  for (const auto& [stat, value] : stats) exposition.sample({{"stat", stat}}, seconds_of(value));
}

}  // namespace

void render_probe(const ProbeOutcome& outcome, std::string& out) {
  Exposition exposition(out);
  const auto gauge = [&](std::string_view name, std::string_view help, auto value) {
    exposition.family(name, MetricType::gauge, help);
    exposition.sample({}, value);
  };
  const auto flag = [](bool value) { return value ? std::uint64_t{1} : std::uint64_t{0}; };

  gauge("probe_success", "1 when at least one echo request got a reply.", flag(outcome.received > 0));
  gauge("probe_duration_seconds", "Time the probe took, name resolution included.", seconds_of(outcome.duration));
  std::uint64_t protocol = 0;  // 0: the name did not resolve, as blackbox_exporter leaves it
  if (outcome.family) protocol = *outcome.family == icmp::Family::v4 ? 4 : 6;
  gauge("probe_ip_protocol", "IP version probed: 4 or 6 (0 when the name did not resolve).", protocol);
  gauge("probe_dns_lookup_time_seconds", "Time the name resolution took.", seconds_of(outcome.dns_time));
  gauge("probe_dns_lookup_failed", "1 when the target's name did not resolve.", flag(outcome.dns_failed));
  gauge("probe_icmp_packets_sent", "Echo requests of this probe, send failures included.", std::uint64_t{outcome.sent});
  gauge("probe_icmp_packets_received", "Echo requests answered (first replies).", std::uint64_t{outcome.received});
  gauge("probe_icmp_duplicates", "Duplicate replies.", std::uint64_t{outcome.duplicates});
  // Nothing sent (the name did not resolve) is all lost, not 0/0.
  const double loss = outcome.sent == 0 ? 1.0
                                        : static_cast<double>(outcome.sent - std::min(outcome.received, outcome.sent)) /
                                              static_cast<double>(outcome.sent);
  gauge("probe_icmp_loss_ratio", "Fraction of the echo requests without a reply.", loss);
  if (!outcome.rtts.empty()) rtt_figures(exposition, outcome.rtts);
  bool errors_started = false;
  for (std::size_t kind = 0; kind < kIcmpErrorKinds; ++kind) {
    if (outcome.icmp_errors[kind] == 0) continue;
    if (!errors_started) {
      exposition.family("probe_icmp_errors", MetricType::gauge, "Echo requests answered by an ICMP error, by kind.");
    }
    errors_started = true;
    exposition.sample({{"type", label_of(static_cast<IcmpErrorKind>(kind))}}, std::uint64_t{outcome.icmp_errors[kind]});
  }
  if (outcome.last_ttl) {
    gauge("probe_icmp_reply_hop_limit", "TTL (hop limit) of the last reply.",
          static_cast<std::uint64_t>(std::max(*outcome.last_ttl, 0)));
  }
}

}  // namespace uping::monitor
