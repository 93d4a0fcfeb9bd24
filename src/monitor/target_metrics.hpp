#pragma once
// What the monitor keeps per watched address, in fixed memory whatever the run time: the counters
// and RTT histogram /metrics exports (smokeping_prober's buckets), the last TTL, jitter, the outage
// state, and the statistics of the current summary period. Pure: times come in as arguments.
// docs/monitor.md lists the metric each field becomes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "monitor/outage.hpp"
#include "monitor/send_order.hpp"
#include "uping/icmp.hpp"
#include "uping/rtt_statistics.hpp"
#include "uping/stats.hpp"

namespace uping::monitor {

// ICMP errors by kind: the `type` label of uping_icmp_errors_total and probe_icmp_errors. IPv4
// and IPv6 codes of the same meaning share a kind, so the label has at most kIcmpErrorKinds values.
enum class IcmpErrorKind : std::uint8_t {
  net_unreachable,
  host_unreachable,
  protocol_unreachable,
  port_unreachable,
  fragmentation_needed,
  admin_prohibited,
  other_unreachable,
  ttl_exceeded,
  reassembly_exceeded,
  packet_too_big,
  parameter_problem,
  other,
};
inline constexpr std::size_t kIcmpErrorKinds = 12;
std::string_view label_of(IcmpErrorKind kind) noexcept;  // "host_unreachable"
IcmpErrorKind classify_icmp_error(icmp::Family family, std::uint8_t type, std::uint8_t code) noexcept;

// smokeping_prober's default buckets: 50 µs · 2^k, k = 0..19 (5e-05 s ... 26.2144 s), so its
// dashboards and recording rules work unchanged. Every bound is whole microseconds.
inline constexpr std::size_t kRttBuckets = 20;
std::span<const double> rtt_bucket_bounds_seconds() noexcept;  // the 20 bounds, in seconds
std::size_t rtt_bucket_index(Micros rtt) noexcept;             // 0..19, or 20 above the last bound

// Cumulative since the address started being watched.
struct ProbeCounters {
  std::uint64_t requests = 0;  // probes settled: replies + timeouts + ICMP errors + send errors
  std::uint64_t replies = 0;   // first replies (the histogram's count)
  std::uint64_t duplicates = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t send_errors = 0;
  std::array<std::uint64_t, kIcmpErrorKinds> icmp_errors{};
  std::array<std::uint64_t, kRttBuckets + 1> rtt_buckets{};  // per bucket, not cumulative; [20]: above
  std::uint64_t rtt_sum_us = 0;                              // exact; exported in seconds
  std::optional<int> last_ttl;
  std::optional<WallTime> last_reply;  // receive time of the last first reply
};

// One summary period's figures, for the monitor_summary event (as the sweep's summary line).
struct PeriodCounters {
  std::uint64_t sent = 0;  // settled this period, send errors excluded (as the sweep's "sent")
  std::uint64_t send_errors = 0;
  std::uint64_t received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t errors = 0;  // ICMP errors
  std::uint64_t timeouts = 0;
};

using OutageEvent = std::variant<OutageStart, OutageEnd>;

class TargetMetrics {
 public:
  TargetMetrics(std::uint32_t down_after, std::uint32_t up_after);

  // Every probe that left (or that the kernel refused: it is settled later as a send error), with
  // its sequence number (distinct among the probes in flight) and wall-clock send time. The
  // counters move when a probe settles; the outage rule sees the probes in the order they were
  // sent (SendOrder), so the events it appends to `events` may come from an earlier probe than
  // the one settling now.
  void sent(std::uint64_t seq, WallTime at) { order_.sent(seq, at); }
  // A first reply, received at `received` (wall clock).
  void reply(std::uint64_t seq, Micros rtt, std::optional<int> ttl, WallTime received,
             std::vector<OutageEvent>& events);
  void duplicate(Micros rtt);
  // A lost probe: timeout, ICMP error (with its kind; none counts as `other`) or send failure.
  void loss(std::uint64_t seq, Loss loss, std::optional<IcmpErrorKind> kind, std::vector<OutageEvent>& events);
  // Ends an outage in progress now (exit, new address, removed); probes in flight are forgotten
  // by the outage rule (their settlements still count).
  std::optional<OutageEnd> force_end(WallTime now) {
    order_.forget();
    return outage_.force_end(now);
  }

  const ProbeCounters& total() const noexcept { return total_; }
  bool up() const noexcept { return outage_.up(); }
  std::uint64_t outages() const noexcept { return outage_.outages(); }
  // RFC 3550 smoothed jitter over every first reply since the start, in seconds; empty before two.
  std::optional<double> jitter_seconds() const noexcept;

  const PeriodCounters& period() const noexcept { return period_; }
  const RttStatistics& period_rtt() const noexcept { return period_rtt_; }
  void start_period() noexcept;  // clears the period's figures (keeps their memory)

 private:
  void settle(std::uint64_t seq, SendOrder::Outcome outcome, std::vector<OutageEvent>& events);

  ProbeCounters total_;
  RttJitter jitter_;
  OutageTracker outage_;
  SendOrder order_;
  PeriodCounters period_;
  RttStatistics period_rtt_;  // on-demand storage: a few hundred bytes for a steady target
};

}  // namespace uping::monitor
