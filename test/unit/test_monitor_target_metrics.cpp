// Per-target metrics: ICMP error kinds, smokeping's buckets at their edges, the counter invariant,
// outage events, jitter, and the summary period.
#include <chrono>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/target_metrics.hpp"

using uping::Micros;
using uping::icmp::Family;
using uping::monitor::classify_icmp_error;
using uping::monitor::IcmpErrorKind;
using uping::monitor::kRttBuckets;
using uping::monitor::label_of;
using uping::monitor::Loss;
using uping::monitor::OutageEnd;
using uping::monitor::OutageEvent;
using uping::monitor::OutageStart;
using uping::monitor::ProbeCounters;
using uping::monitor::rtt_bucket_bounds_seconds;
using uping::monitor::rtt_bucket_index;
using uping::monitor::SendOrder;
using uping::monitor::TargetMetrics;
using uping::monitor::WallTime;

namespace {

WallTime at(std::int64_t seconds) { return std::chrono::seconds(seconds); }

// Probe `seq` sent at at(seq) and settled at once by a reply: the outage end it completed, if any.
std::optional<OutageEnd> reply(TargetMetrics& metrics, std::int64_t seq, Micros rtt, std::optional<int> ttl,
                               WallTime received) {
  metrics.sent(static_cast<std::uint64_t>(seq), at(seq));
  std::vector<OutageEvent> events;
  metrics.reply(static_cast<std::uint64_t>(seq), rtt, ttl, received, events);
  REQUIRE(events.size() <= 1);
  if (events.empty()) return std::nullopt;
  return std::get<OutageEnd>(events.front());
}

// The same, settled by a loss: the outage start it completed, if any.
std::optional<OutageStart> loss(TargetMetrics& metrics, std::int64_t seq, Loss how, std::optional<IcmpErrorKind> kind) {
  metrics.sent(static_cast<std::uint64_t>(seq), at(seq));
  std::vector<OutageEvent> events;
  metrics.loss(static_cast<std::uint64_t>(seq), how, kind, events);
  REQUIRE(events.size() <= 1);
  if (events.empty()) return std::nullopt;
  return std::get<OutageStart>(events.front());
}

std::uint64_t icmp_error_sum(const ProbeCounters& counters) {
  return std::accumulate(counters.icmp_errors.begin(), counters.icmp_errors.end(), std::uint64_t{0});
}

void check_invariant(const TargetMetrics& metrics) {
  const ProbeCounters& total = metrics.total();
  CHECK(total.requests == total.replies + total.timeouts + icmp_error_sum(total) + total.send_errors);
  CHECK(std::accumulate(total.rtt_buckets.begin(), total.rtt_buckets.end(), std::uint64_t{0}) == total.replies);
}

}  // namespace

TEST_CASE("monitor target metrics: IPv4 ICMP errors by kind", "[monitor]") {
  const auto v4 = [](int type, int code) {
    return classify_icmp_error(Family::v4, static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code));
  };
  CHECK(v4(3, 0) == IcmpErrorKind::net_unreachable);
  CHECK(v4(3, 1) == IcmpErrorKind::host_unreachable);
  CHECK(v4(3, 2) == IcmpErrorKind::protocol_unreachable);
  CHECK(v4(3, 3) == IcmpErrorKind::port_unreachable);
  CHECK(v4(3, 4) == IcmpErrorKind::fragmentation_needed);
  CHECK(v4(3, 9) == IcmpErrorKind::admin_prohibited);
  CHECK(v4(3, 10) == IcmpErrorKind::admin_prohibited);
  CHECK(v4(3, 13) == IcmpErrorKind::admin_prohibited);
  CHECK(v4(3, 5) == IcmpErrorKind::other_unreachable);
  CHECK(v4(3, 6) == IcmpErrorKind::other_unreachable);
  CHECK(v4(3, 15) == IcmpErrorKind::other_unreachable);
  CHECK(v4(3, 255) == IcmpErrorKind::other_unreachable);
  CHECK(v4(11, 0) == IcmpErrorKind::ttl_exceeded);
  CHECK(v4(11, 1) == IcmpErrorKind::reassembly_exceeded);
  CHECK(v4(11, 2) == IcmpErrorKind::other);
  CHECK(v4(12, 0) == IcmpErrorKind::parameter_problem);
  CHECK(v4(12, 1) == IcmpErrorKind::parameter_problem);
  CHECK(v4(5, 0) == IcmpErrorKind::other);  // redirect
  CHECK(v4(4, 0) == IcmpErrorKind::other);  // source quench
  CHECK(v4(1, 0) == IcmpErrorKind::other);  // an IPv6 type number means nothing in IPv4
}

TEST_CASE("monitor target metrics: IPv6 ICMP errors by kind", "[monitor]") {
  const auto v6 = [](int type, int code) {
    return classify_icmp_error(Family::v6, static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code));
  };
  CHECK(v6(1, 0) == IcmpErrorKind::net_unreachable);
  CHECK(v6(1, 1) == IcmpErrorKind::admin_prohibited);
  CHECK(v6(1, 2) == IcmpErrorKind::other_unreachable);
  CHECK(v6(1, 3) == IcmpErrorKind::host_unreachable);
  CHECK(v6(1, 4) == IcmpErrorKind::port_unreachable);
  CHECK(v6(1, 5) == IcmpErrorKind::other_unreachable);
  CHECK(v6(1, 6) == IcmpErrorKind::other_unreachable);
  CHECK(v6(2, 0) == IcmpErrorKind::packet_too_big);
  CHECK(v6(3, 0) == IcmpErrorKind::ttl_exceeded);
  CHECK(v6(3, 1) == IcmpErrorKind::reassembly_exceeded);
  CHECK(v6(3, 2) == IcmpErrorKind::other);
  CHECK(v6(4, 0) == IcmpErrorKind::parameter_problem);
  CHECK(v6(4, 2) == IcmpErrorKind::parameter_problem);
  CHECK(v6(137, 0) == IcmpErrorKind::other);  // redirect
  CHECK(v6(11, 0) == IcmpErrorKind::other);   // an IPv4 type number means nothing in IPv6
}

TEST_CASE("monitor target metrics: every kind has a distinct label", "[monitor]") {
  std::string all;
  for (std::size_t i = 0; i < uping::monitor::kIcmpErrorKinds; ++i) {
    const std::string label(label_of(static_cast<IcmpErrorKind>(i)));
    CHECK_FALSE(label.empty());
    CHECK(all.find(" " + label + " ") == std::string::npos);
    all += " " + label + " ";
  }
  CHECK(label_of(IcmpErrorKind::net_unreachable) == "net_unreachable");
  CHECK(label_of(IcmpErrorKind::admin_prohibited) == "admin_prohibited");
  CHECK(label_of(IcmpErrorKind::other) == "other");
}

TEST_CASE("monitor target metrics: smokeping's 20 bounds, 50 us doubling to 26.2144 s", "[monitor]") {
  const auto bounds = rtt_bucket_bounds_seconds();
  REQUIRE(bounds.size() == kRttBuckets);
  CHECK(bounds.front() == 5e-05);
  CHECK(bounds[1] == 0.0001);
  CHECK(bounds[10] == 0.0512);
  CHECK(bounds.back() == 26.2144);
  for (std::size_t k = 1; k < bounds.size(); ++k) CHECK(bounds[k] > bounds[k - 1]);
}

TEST_CASE("monitor target metrics: bucket edges compare whole microseconds", "[monitor]") {
  CHECK(rtt_bucket_index(-5) == 0);
  CHECK(rtt_bucket_index(0) == 0);
  CHECK(rtt_bucket_index(50) == 0);
  CHECK(rtt_bucket_index(51) == 1);
  CHECK(rtt_bucket_index(100) == 1);
  CHECK(rtt_bucket_index(101) == 2);
  CHECK(rtt_bucket_index(51'200) == 10);
  CHECK(rtt_bucket_index(51'201) == 11);
  CHECK(rtt_bucket_index(26'214'399) == 19);
  CHECK(rtt_bucket_index(26'214'400) == 19);
  CHECK(rtt_bucket_index(26'214'401) == kRttBuckets);
  CHECK(rtt_bucket_index(3'600'000'000) == kRttBuckets);
}

TEST_CASE("monitor target metrics: replies fill buckets, sum, TTL and last reply time", "[monitor]") {
  TargetMetrics metrics(3, 2);
  CHECK_FALSE(metrics.total().last_ttl);
  CHECK_FALSE(metrics.total().last_reply);
  CHECK_FALSE(reply(metrics, 1, 50, 64, at(1) + std::chrono::microseconds(50)));
  reply(metrics, 2, 51, std::nullopt, at(3));  // no TTL given: the last one stays
  reply(metrics, 4, 26'214'401, 63, at(30));
  const ProbeCounters& total = metrics.total();
  CHECK(total.replies == 3);
  CHECK(total.requests == 3);
  CHECK(total.rtt_buckets[0] == 1);
  CHECK(total.rtt_buckets[1] == 1);
  CHECK(total.rtt_buckets[kRttBuckets] == 1);
  CHECK(total.rtt_sum_us == 50 + 51 + 26'214'401);
  CHECK(total.last_ttl == 63);
  CHECK(total.last_reply == at(30));
  check_invariant(metrics);
}

TEST_CASE("monitor target metrics: requests = replies + timeouts + ICMP errors + send errors", "[monitor]") {
  TargetMetrics metrics(1000, 1);
  std::int64_t t = 0;
  for (int i = 0; i < 7; ++i) {
    reply(metrics, t, 100 + i, 64, at(t + 1));
    ++t;
  }
  for (int i = 0; i < 3; ++i) loss(metrics, t++, Loss::timeout, std::nullopt);
  loss(metrics, t++, Loss::icmp_error, IcmpErrorKind::host_unreachable);
  loss(metrics, t++, Loss::icmp_error, IcmpErrorKind::host_unreachable);
  loss(metrics, t++, Loss::icmp_error, IcmpErrorKind::ttl_exceeded);
  loss(metrics, t++, Loss::icmp_error, std::nullopt);  // no kind given: counted as other
  for (int i = 0; i < 2; ++i) loss(metrics, t++, Loss::send_error, std::nullopt);
  metrics.duplicate(120);
  metrics.duplicate(130);
  const ProbeCounters& total = metrics.total();
  CHECK(total.requests == 16);
  CHECK(total.replies == 7);
  CHECK(total.timeouts == 3);
  CHECK(total.send_errors == 2);
  CHECK(total.duplicates == 2);
  CHECK(total.icmp_errors[static_cast<std::size_t>(IcmpErrorKind::host_unreachable)] == 2);
  CHECK(total.icmp_errors[static_cast<std::size_t>(IcmpErrorKind::ttl_exceeded)] == 1);
  CHECK(total.icmp_errors[static_cast<std::size_t>(IcmpErrorKind::other)] == 1);
  check_invariant(metrics);
}

TEST_CASE("monitor target metrics: outage events come out of losses and replies", "[monitor]") {
  TargetMetrics metrics(2, 2);
  CHECK(metrics.up());
  CHECK_FALSE(loss(metrics, 1, Loss::timeout, std::nullopt));
  metrics.duplicate(10);  // a duplicate is neither a loss nor a reply: the run goes on
  const auto start = loss(metrics, 2, Loss::icmp_error, IcmpErrorKind::net_unreachable);
  REQUIRE(start);
  CHECK(start->time == at(1));
  CHECK(start->cause == Loss::icmp_error);
  CHECK_FALSE(metrics.up());
  CHECK(metrics.outages() == 1);
  CHECK_FALSE(reply(metrics, 3, 100, 64, at(3)));
  metrics.duplicate(100);
  const auto end = reply(metrics, 4, 100, 64, at(4));
  REQUIRE(end);
  CHECK(end->start == at(1));
  CHECK(end->time == at(3));
  CHECK(end->probes_lost == 2);
  CHECK(metrics.up());
  // force_end passes through.
  loss(metrics, 5, Loss::send_error, std::nullopt);
  REQUIRE(loss(metrics, 6, Loss::send_error, std::nullopt));
  const auto forced = metrics.force_end(at(9));
  REQUIRE(forced);
  CHECK(forced->time == at(9));
  CHECK(metrics.outages() == 2);
}

TEST_CASE("monitor target metrics: jitter over first replies, empty before two", "[monitor]") {
  TargetMetrics metrics(3, 2);
  CHECK_FALSE(metrics.jitter_seconds());
  reply(metrics, 1, 1000, 64, at(1));
  metrics.duplicate(5000);  // not an interarrival
  CHECK_FALSE(metrics.jitter_seconds());
  reply(metrics, 2, 2600, 64, at(2));
  REQUIRE(metrics.jitter_seconds());
  CHECK(*metrics.jitter_seconds() == Approx(100e-6));  // |2600 - 1000| / 16 µs
}

TEST_CASE("monitor target metrics: the period counts as the sweep's summary, and resets", "[monitor]") {
  TargetMetrics metrics(3, 2);
  reply(metrics, 1, 1000, 64, at(1));
  reply(metrics, 2, 3000, 64, at(2));
  metrics.duplicate(5000);
  loss(metrics, 3, Loss::timeout, std::nullopt);
  loss(metrics, 4, Loss::icmp_error, IcmpErrorKind::port_unreachable);
  loss(metrics, 5, Loss::send_error, std::nullopt);
  CHECK(metrics.period().sent == 4);  // send errors are not "sent"
  CHECK(metrics.period().send_errors == 1);
  CHECK(metrics.period().received == 2);
  CHECK(metrics.period().duplicates == 1);
  CHECK(metrics.period().errors == 1);
  CHECK(metrics.period().timeouts == 1);
  // min/avg/max take the duplicate too, as the sweep's RttStatistics does.
  REQUIRE(metrics.period_rtt().summary());
  CHECK(metrics.period_rtt().count() == 3);
  CHECK(metrics.period_rtt().summary()->min == 1000);
  CHECK(metrics.period_rtt().summary()->max == 5000);
  CHECK(metrics.period_rtt().summary()->avg == 3000);
  // The period's jitter is over first replies only.
  CHECK(metrics.period_rtt().jitter().differences() == 1);

  metrics.start_period();
  CHECK(metrics.period().sent == 0);
  CHECK(metrics.period().send_errors == 0);
  CHECK(metrics.period().received == 0);
  CHECK(metrics.period().duplicates == 0);
  CHECK(metrics.period().errors == 0);
  CHECK(metrics.period().timeouts == 0);
  CHECK(metrics.period_rtt().count() == 0);
  CHECK_FALSE(metrics.period_rtt().summary());
  // The totals are cumulative: a period does not touch them.
  CHECK(metrics.total().requests == 5);
  CHECK(metrics.total().replies == 2);
  reply(metrics, 6, 2000, 64, at(6));
  CHECK(metrics.period().received == 1);
  CHECK(metrics.period_rtt().summary()->min == 2000);
}

TEST_CASE("monitor target metrics: fixed size, no storage per probe", "[monitor]") {
  TargetMetrics metrics(3, 2);
  for (int i = 0; i < 100'000; ++i) reply(metrics, i, 1000 + i % 100, 64, at(i));
  // Only the period histogram owns heap, a window of counters around the RTTs seen.
  CHECK(metrics.period_rtt().histogram().heap_bytes() < 1024);
  CHECK(metrics.total().replies == 100'000);
}

TEST_CASE("monitor target metrics: the outage rule sees probes in the order they were sent", "[monitor]") {
  // -i 0.2 -W 1 (times in tenths of a second), down after 3, up after 2: the target is silent from
  // probe 10 to probe 24, then answers. The replies to probes 25 and 26 arrive before the timeouts
  // of probes 21..24 (which come at their send + 1 s): settlement order is not send order.
  TargetMetrics metrics(3, 2);
  const auto tenth = [](std::int64_t t) { return WallTime(std::chrono::milliseconds(100 * t)); };
  std::vector<OutageEvent> events;
  for (std::uint64_t seq = 0; seq < 30; ++seq) metrics.sent(seq, tenth(static_cast<std::int64_t>(seq) * 2));
  for (std::uint64_t seq = 0; seq < 10; ++seq) metrics.reply(seq, 1000, 64, tenth(1), events);
  for (std::uint64_t seq = 10; seq < 21; ++seq) metrics.loss(seq, Loss::timeout, std::nullopt, events);
  REQUIRE(events.size() == 1);
  const auto start = std::get<OutageStart>(events.front());
  CHECK(start.time == tenth(20));  // probe 10's send
  CHECK(start.probes_lost == 3);
  events.clear();
  metrics.reply(25, 1000, 64, tenth(51), events);
  metrics.reply(26, 1000, 64, tenth(53), events);
  CHECK(events.empty());  // probes 21..24 still in flight: the rule waits for them
  CHECK(metrics.total().replies == 12);  // the counters do not wait
  for (std::uint64_t seq = 21; seq < 25; ++seq) metrics.loss(seq, Loss::timeout, std::nullopt, events);
  REQUIRE(events.size() == 1);
  const auto end = std::get<OutageEnd>(events.front());
  CHECK(end.start == tenth(20));
  CHECK(end.time == tenth(50));    // probe 25's send: the first of the two replies
  CHECK(end.probes_lost == 15);    // probes 10..24
  CHECK(metrics.up());
  check_invariant(metrics);
}

TEST_CASE("monitor target metrics: settlements of forgotten or unknown probes leave the outage rule alone", "[monitor]") {
  TargetMetrics metrics(1, 1);
  std::vector<OutageEvent> events;
  metrics.sent(1, at(1));
  CHECK_FALSE(metrics.force_end(at(2)));  // up: nothing to end, but probe 1 is forgotten
  metrics.loss(1, Loss::timeout, std::nullopt, events);
  metrics.loss(7, Loss::timeout, std::nullopt, events);  // never sent
  CHECK(events.empty());
  CHECK(metrics.up());
  CHECK(metrics.total().timeouts == 2);  // counted all the same
  metrics.sent(8, at(8));
  metrics.loss(8, Loss::send_error, std::nullopt, events);
  metrics.loss(8, Loss::timeout, std::nullopt, events);  // settled twice: the second is ignored by the rule
  REQUIRE(events.size() == 1);
  CHECK(std::get<OutageStart>(events.front()).cause == Loss::send_error);
}

TEST_CASE("monitor send order: a ring that grows to the probes in flight and hands them on oldest first", "[monitor]") {
  SendOrder order;
  for (std::uint64_t seq = 0; seq < 100; ++seq) order.sent(seq, at(static_cast<std::int64_t>(seq)));
  CHECK(order.in_flight() == 100);
  CHECK_FALSE(order.pop());
  for (std::uint64_t seq = 99; seq > 0; --seq) CHECK(order.settle(seq, SendOrder::Outcome::reply));
  CHECK_FALSE(order.pop());  // probe 0 still in flight
  CHECK(order.settle(0, SendOrder::Outcome::timeout));
  CHECK_FALSE(order.settle(0, SendOrder::Outcome::reply));  // twice
  const auto first = order.pop();
  REQUIRE(first);
  CHECK(first->outcome == SendOrder::Outcome::timeout);
  CHECK(first->sent == at(0));
  std::size_t popped = 1;
  while (order.pop()) ++popped;
  CHECK(popped == 100);
  CHECK(order.in_flight() == 0);
  // Wrapping around the ring keeps the order.
  for (std::uint64_t seq = 100; seq < 1000; ++seq) {
    order.sent(seq, at(static_cast<std::int64_t>(seq)));
    if (seq % 3 == 0) {
      CHECK(order.settle(seq - 1, SendOrder::Outcome::reply));
      CHECK(order.settle(seq - 2, SendOrder::Outcome::reply));
      CHECK(order.settle(seq, SendOrder::Outcome::reply));
      std::int64_t expected = static_cast<std::int64_t>(seq) - 2;
      while (const auto settled = order.pop()) CHECK(settled->sent == at(expected++));
      CHECK(expected == static_cast<std::int64_t>(seq) + 1);
    }
  }
}

TEST_CASE("monitor send order: sequence numbers that wrap around keep the send order", "[monitor]") {
  // The engine numbers each address's probes in 32 bits (the token's low half).
  SendOrder order;
  order.sent(0xFFFF'FFFE, at(1));
  order.sent(0xFFFF'FFFF, at(2));
  order.sent(0, at(3));
  CHECK(order.settle(0, SendOrder::Outcome::reply));
  CHECK(order.settle(0xFFFF'FFFF, SendOrder::Outcome::timeout));
  CHECK_FALSE(order.pop());
  CHECK(order.settle(0xFFFF'FFFE, SendOrder::Outcome::reply));
  std::int64_t expected = 1;
  while (const auto settled = order.pop()) CHECK(settled->sent == at(expected++));
  CHECK(expected == 4);
}

TEST_CASE("monitor send order: past kMaxInFlight the oldest is handed on as a timeout", "[monitor]") {
  SendOrder order;
  for (std::uint64_t seq = 0; seq <= SendOrder::kMaxInFlight; ++seq) order.sent(seq, at(1));
  CHECK(order.in_flight() == SendOrder::kMaxInFlight);
  const auto forced = order.pop();
  REQUIRE(forced);
  CHECK(forced->outcome == SendOrder::Outcome::timeout);
  CHECK_FALSE(order.pop());
}
