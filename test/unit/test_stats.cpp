#include <chrono>
#include <initializer_list>

#include <catch2/catch.hpp>

#include "uping/stats.hpp"

using namespace std::chrono_literals;
using uping::Instant;
using uping::Micros;
using uping::ProbeTable;
using uping::Statistics;

namespace {

Statistics with_replies(std::initializer_list<Micros> rtts) {
  Statistics stats;
  for (Micros rtt : rtts) {
    stats.record_transmit();
    stats.record_reply(rtt, false);
  }
  return stats;
}

Instant at(std::chrono::nanoseconds wall, std::chrono::nanoseconds monotonic) {
  Instant instant;
  instant.wall = wall;
  instant.monotonic = monotonic;
  return instant;
}

}  // namespace

TEST_CASE("round trip uses the kernel's wall-clock stamp, truncated to microseconds", "[stats]") {
  const Instant sent = at(1700000000s, 50s);
  // Wall says 1234.567 µs, monotonic (taken later, in user space) says 1300 µs: wall wins.
  CHECK(uping::round_trip_micros(sent, 1700000000s + 1234567ns, 50s + 1300us) == 1234);
  // Half a second of disagreement is still within tolerance.
  CHECK(uping::round_trip_micros(sent, 1700000000s + 600ms, 50s + 100ms) == 600000);
}

TEST_CASE("round trip falls back to the monotonic clock when the wall clock steps", "[stats]") {
  const Instant sent = at(1700000000s, 50s);
  // Clock stepped back an hour while the probe was out: the wall difference is negative.
  CHECK(uping::round_trip_micros(sent, 1700000000s - 1h + 2ms, 50s + 2ms) == 2000);
  // Stepped forward an hour: the wall difference is huge and disagrees with monotonic.
  CHECK(uping::round_trip_micros(sent, 1700000000s + 1h + 2ms, 50s + 2ms) == 2000);
  // Slightly negative wall difference with a sane monotonic one.
  CHECK(uping::round_trip_micros(sent, 1700000000s - 1us, 50s + 700us) == 700);
  // Never negative, even if both clocks are inconsistent.
  CHECK(uping::round_trip_micros(sent, 1700000000s - 5ms, 50s - 5ms) == 0);
}

TEST_CASE("min, avg, max and mdev match a Debian ping run", "[stats]") {
  // ping -c 3 -i 0.2 127.0.0.1 printed rtt min/avg/max/mdev = 0.034/0.039/0.044/0.004 ms.
  // By hand: S = 118, Q = 34² + 44² + 40² = 4692, avg = 118 / 3 = 39 (truncated),
  // variance = (3·4692 − 118²) / 9 = 152 / 9 = 16 (truncated), mdev = √16 = 4.
  // (The naive Q/n − avg² = 1564 − 1521 = 43 would give 6: this catches it.)
  const auto summary = with_replies({34, 44, 40}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->min == 34);
  CHECK(summary->avg == 39);
  CHECK(summary->max == 44);
  CHECK(summary->mdev == 4);
}

TEST_CASE("mdev uses iputils' Newton square root, which rounds up just below a square", "[stats]") {
  // {1000, 1000, 1004}: S = 3004, Q = 3·10⁶ + 8016, 3Q − S² = 32, variance = 32 / 9 = 3.
  // floor(√3) = 1, but iputils' iteration stops at 2.
  auto summary = with_replies({1000, 1000, 1004}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->avg == 1001);
  CHECK(summary->mdev == 2);
  // {100, 100, 106}: 3Q − S² = 72, variance = 8; iputils gives 3 (floor would be 2).
  summary = with_replies({100, 100, 106}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->mdev == 3);
  // {100, 100, 103}: 3Q − S² = 18, variance = 2: an ordinary floor, 1.
  summary = with_replies({100, 100, 103}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->mdev == 1);
  // Identical times: variance 0.
  summary = with_replies({500, 500}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->mdev == 0);
}

TEST_CASE("mdev truncates the variance once, not the intermediate mean", "[stats]") {
  // {10, 3, 3} (a Debian -i 0 run printed 0.003/0.005/0.010/0.003): S = 16, Q = 118,
  // 3Q − S² = 98, variance = 98 / 9 = 10, root 3; avg = 16 / 3 = 5.
  auto summary = with_replies({10, 3, 3}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->min == 3);
  CHECK(summary->avg == 5);
  CHECK(summary->max == 10);
  CHECK(summary->mdev == 3);
  // {0, 0, 2}: iputils computes (Q − S²/n) / n in floating point: (4 − 1.33) / 3 = 0.89 → 0.
  // Truncating S²/n to 1 first would give (4 − 1) / 3 = 1 and an mdev of 1.
  summary = with_replies({0, 0, 2}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->mdev == 0);
}

TEST_CASE("a sum of times past INT_MAX µs switches to iputils' coarse variance", "[stats]") {
  // a = 2³⁰, b = 2³⁰ + 3: S = 2³¹ + 3 ≥ INT_MAX. iputils then uses ⌊Q/n⌋ − avg²:
  // avg = 2³⁰ + 1, Q/2 = 2⁶⁰ + 3·2³⁰ + 4, avg² = 2⁶⁰ + 2·2³⁰ + 1, variance = 2³⁰ + 3,
  // mdev = 32768 µs. The exact variance (9/4 → 2) would give 1.
  constexpr Micros kTwoTo30 = Micros{1} << 30;
  const auto summary = with_replies({kTwoTo30, kTwoTo30 + 3}).rtt_summary();
  REQUIRE(summary);
  CHECK(summary->avg == kTwoTo30 + 1);
  CHECK(summary->mdev == 32768);
  // Just below the limit the exact formula applies: 2 × 1073741823 = INT_MAX − 1.
  const auto below = with_replies({1073741823, 1073741823}).rtt_summary();
  REQUIRE(below);
  CHECK(below->mdev == 0);
}

TEST_CASE("duplicates count apart from replies but their times enter the summary", "[stats]") {
  Statistics stats;
  stats.record_transmit();
  stats.record_reply(100, false);
  stats.record_reply(400, true);
  CHECK(stats.received() == 1);
  CHECK(stats.duplicates() == 1);
  const auto summary = stats.rtt_summary();
  REQUIRE(summary);
  CHECK(summary->max == 400);
  CHECK(summary->avg == 250);  // (100 + 400) / 2: n counts the duplicate
  CHECK(summary->mdev == 150);
}

TEST_CASE("untimed replies count but leave the summary and ewma empty", "[stats]") {
  Statistics stats;
  stats.record_transmit();
  stats.record_reply(std::nullopt, false);
  CHECK(stats.received() == 1);
  CHECK_FALSE(stats.rtt_summary());
  CHECK_FALSE(stats.ewma());
}

TEST_CASE("ewma starts at the first time and moves by an eighth", "[stats]") {
  Statistics stats;
  CHECK_FALSE(stats.ewma());
  stats.record_reply(100, false);
  CHECK(stats.ewma() == 100);
  // 8·ewma: 800 → 800 + 200 − 100 = 900 → 112 (truncated).
  stats.record_reply(200, false);
  CHECK(stats.ewma() == 112);
  // 900 + 200 − 112 = 988 → 123.
  stats.record_reply(200, true);
  CHECK(stats.ewma() == 123);
}

TEST_CASE("ewma of the Debian -i 0 run", "[stats]") {
  // 10, 3, 3: 80 → 80 + 3 − 10 = 73 → 73 + 3 − 9 = 67 → 8 µs (Debian printed ewma 0.008).
  CHECK(with_replies({10, 3, 3}).ewma() == 8);
}

TEST_CASE("a zero ewma restarts at the next time, as iputils", "[stats]") {
  Statistics stats;
  stats.record_reply(0, false);
  CHECK(stats.ewma() == 0);
  stats.record_reply(80, false);
  CHECK(stats.ewma() == 80);  // not 0 + 80 − 0 = 80/8 = 10
}

TEST_CASE("counters, loss and pipe", "[stats]") {
  Statistics stats;
  CHECK(stats.loss_percent() == 0.0);
  for (int i = 0; i < 3; ++i) stats.record_transmit();
  stats.record_reply(10, false);
  stats.record_error();
  stats.record_corrupted();
  CHECK(stats.transmitted() == 3);
  CHECK(stats.received() == 1);
  CHECK(stats.errors() == 1);
  CHECK(stats.corrupted() == 1);
  CHECK(stats.loss_percent() == Approx(200.0 / 3.0));
  CHECK(stats.pipe() == 0);
  stats.observe_in_flight(3);
  stats.observe_in_flight(1);
  CHECK(stats.pipe() == 3);
}

TEST_CASE("probe table: unknown, first, duplicate", "[stats]") {
  ProbeTable table;
  CHECK(table.on_reply(7).match == ProbeTable::Match::unknown);
  CHECK(table.on_error(7).match == ProbeTable::Match::unknown);

  table.on_send(7, at(100s, 5s));
  CHECK_FALSE(table.answered(7));
  const auto first = table.on_reply(7);
  CHECK(first.match == ProbeTable::Match::first);
  CHECK(first.sent.wall == 100s);
  CHECK(first.sent.monotonic == 5s);
  CHECK(first.transmit_number == 7);
  CHECK(table.answered(7));
  const auto again = table.on_reply(7);
  CHECK(again.match == ProbeTable::Match::duplicate);
  CHECK(again.transmit_number == 7);
  CHECK(table.on_reply(8).match == ProbeTable::Match::unknown);
}

TEST_CASE("probe table: the probe number of an entry is the latest one with its sequence", "[stats]") {
  ProbeTable table;
  for (std::uint64_t number = 65530; number <= 65541; ++number) {
    table.on_send(number, at(std::chrono::seconds(number), std::chrono::seconds(number)));
  }
  // 65,541 carried sequence 5; 65,535 (sequence 65535) is older, across the wrap.
  CHECK(table.on_reply(5).transmit_number == 65541);
  CHECK(table.on_reply(0).transmit_number == 65536);
  CHECK(table.on_reply(65535).transmit_number == 65535);
  CHECK(table.peek(65530).transmit_number == 65530);
  CHECK(table.on_error(65533).transmit_number == 65533);
  CHECK(table.on_reply(65535).sent.wall == std::chrono::seconds(65535));
  // Sequence 6 was last carried by probe 6, never sent here.
  CHECK(table.on_reply(6).match == ProbeTable::Match::unknown);
}

TEST_CASE("probe table: an error settles without answering", "[stats]") {
  ProbeTable table;
  table.on_send(1, at(1s, 1s));
  const auto error = table.on_error(1);
  CHECK(error.match == ProbeTable::Match::first);
  CHECK(error.transmit_number == 1);
  CHECK_FALSE(table.answered(1));
  // A reply after the error is a reply, not a DUP (iputils leaves the received bit clear).
  CHECK(table.on_reply(1).match == ProbeTable::Match::first);
  // An error about an answered sequence reports it as already answered.
  CHECK(table.on_error(1).match == ProbeTable::Match::duplicate);
}

TEST_CASE("probe table: a wrapped sequence overwrites the entry and its answer", "[stats]") {
  ProbeTable table;
  table.on_send(65535, at(1s, 1s));
  table.on_send(65536, at(2s, 2s));
  CHECK(table.on_reply(0).match == ProbeTable::Match::first);
  CHECK(table.on_reply(65535).match == ProbeTable::Match::first);
  // 65,536 probes later sequence 0 is reused: fresh, unanswered, new send time.
  table.on_send(131072, at(70000s, 70000s));
  CHECK_FALSE(table.answered(0));
  const auto reused = table.on_reply(0);
  CHECK(reused.match == ProbeTable::Match::first);
  CHECK(reused.transmit_number == 131072);
  CHECK(reused.sent.wall == 70000s);
}
