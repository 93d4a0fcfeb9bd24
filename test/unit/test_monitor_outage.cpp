// The outage rule: down after N consecutive losses, up after M consecutive replies, times from the
// probes' sends, every loss of the outage counted.
#include <chrono>
#include <cstdint>
#include <optional>

#include <catch2/catch.hpp>

#include "monitor/outage.hpp"

using uping::monitor::Loss;
using uping::monitor::OutageTracker;
using uping::monitor::WallTime;

namespace {

WallTime at(std::int64_t seconds) { return std::chrono::seconds(seconds); }

}  // namespace

TEST_CASE("monitor outage: N=1 goes down at the first loss, M=1 up at the first reply", "[monitor]") {
  OutageTracker tracker(1, 1);
  CHECK(tracker.up());
  CHECK_FALSE(tracker.replied(at(1)));
  const auto start = tracker.lost(Loss::icmp_error, at(2));
  REQUIRE(start);
  CHECK(start->time == at(2));
  CHECK(start->cause == Loss::icmp_error);
  CHECK(start->probes_lost == 1);
  CHECK_FALSE(tracker.up());
  CHECK(tracker.outages() == 1);
  const auto end = tracker.replied(at(3));
  REQUIRE(end);
  CHECK(end->start == at(2));
  CHECK(end->time == at(3));
  CHECK(end->probes_lost == 1);
  CHECK(tracker.up());
  CHECK(tracker.outages() == 1);
}

TEST_CASE("monitor outage: N=3 starts at the first of the three losses, with the third's cause", "[monitor]") {
  OutageTracker tracker(3, 2);
  CHECK_FALSE(tracker.lost(Loss::timeout, at(10)));
  CHECK_FALSE(tracker.lost(Loss::timeout, at(11)));
  CHECK(tracker.up());
  const auto start = tracker.lost(Loss::send_error, at(12));
  REQUIRE(start);
  CHECK(start->time == at(10));
  CHECK(start->cause == Loss::send_error);
  CHECK(start->probes_lost == 3);
  CHECK_FALSE(tracker.up());
  // Further losses while down start nothing more.
  CHECK_FALSE(tracker.lost(Loss::timeout, at(13)));
  CHECK(tracker.outages() == 1);
}

TEST_CASE("monitor outage: a reply breaks a run of losses short of N", "[monitor]") {
  OutageTracker tracker(3, 2);
  for (int round = 0; round < 100; ++round) {  // loss, loss, reply: flapping that never completes N
    CHECK_FALSE(tracker.lost(Loss::timeout, at(3 * round)));
    CHECK_FALSE(tracker.lost(Loss::timeout, at(3 * round + 1)));
    CHECK_FALSE(tracker.replied(at(3 * round + 2)));
  }
  CHECK(tracker.up());
  CHECK(tracker.outages() == 0);
  CHECK_FALSE(tracker.force_end(at(1000)));
}

TEST_CASE("monitor outage: M=2 ends at the first of two consecutive replies; a loss between restarts the run",
          "[monitor]") {
  OutageTracker tracker(2, 2);
  CHECK_FALSE(tracker.lost(Loss::timeout, at(1)));
  REQUIRE(tracker.lost(Loss::timeout, at(2)));
  CHECK_FALSE(tracker.replied(at(3)));                 // one reply: still down
  CHECK_FALSE(tracker.lost(Loss::icmp_error, at(4)));  // breaks the run of replies
  CHECK_FALSE(tracker.replied(at(5)));
  CHECK_FALSE(tracker.up());
  const auto end = tracker.replied(at(6));
  REQUIRE(end);
  CHECK(end->start == at(1));
  CHECK(end->time == at(5));
  CHECK(end->probes_lost == 3);  // 1, 2 and 4: every loss from the start to the end
  CHECK(tracker.up());
}

TEST_CASE("monitor outage: probes_lost counts every loss from start to end, across broken runs", "[monitor]") {
  OutageTracker tracker(3, 3);
  for (int i = 0; i < 3; ++i) tracker.lost(Loss::timeout, at(i));
  REQUIRE_FALSE(tracker.up());
  std::int64_t t = 3;
  for (int i = 0; i < 10; ++i) {  // reply, reply, loss: never three replies in a row
    CHECK_FALSE(tracker.replied(at(t++)));
    CHECK_FALSE(tracker.replied(at(t++)));
    CHECK_FALSE(tracker.lost(Loss::timeout, at(t++)));
  }
  for (int i = 0; i < 2; ++i) CHECK_FALSE(tracker.replied(at(t++)));
  const auto end = tracker.replied(at(t));
  REQUIRE(end);
  CHECK(end->probes_lost == 13);
  CHECK(end->start == at(0));
  CHECK(end->time == at(t - 2));
}

TEST_CASE("monitor outage: a second outage counts again from zero", "[monitor]") {
  OutageTracker tracker(2, 1);
  tracker.lost(Loss::timeout, at(1));
  REQUIRE(tracker.lost(Loss::timeout, at(2)));
  REQUIRE(tracker.replied(at(3)));
  CHECK_FALSE(tracker.lost(Loss::timeout, at(4)));  // one loss after recovery is not an outage
  const auto start = tracker.lost(Loss::timeout, at(5));
  REQUIRE(start);
  CHECK(start->time == at(4));
  CHECK(start->probes_lost == 2);
  CHECK(tracker.outages() == 2);
  const auto end = tracker.replied(at(6));
  REQUIRE(end);
  CHECK(end->probes_lost == 2);
  CHECK(end->start == at(4));
}

TEST_CASE("monitor outage: losses settled out of send order start at the earliest send", "[monitor]") {
  OutageTracker tracker(3, 1);
  tracker.lost(Loss::timeout, at(11));
  tracker.lost(Loss::timeout, at(10));  // an earlier probe whose timeout came later
  const auto start = tracker.lost(Loss::timeout, at(12));
  REQUIRE(start);
  CHECK(start->time == at(10));
}

TEST_CASE("monitor outage: force_end ends an outage in progress, and nothing when up", "[monitor]") {
  OutageTracker tracker(1, 5);
  CHECK_FALSE(tracker.force_end(at(1)));
  CHECK(tracker.up());
  REQUIRE(tracker.lost(Loss::timeout, at(2)));
  tracker.lost(Loss::timeout, at(3));
  tracker.replied(at(4));  // part of a run of replies that is not complete
  const auto end = tracker.force_end(at(50));
  REQUIRE(end);
  CHECK(end->start == at(2));
  CHECK(end->time == at(50));
  CHECK(end->probes_lost == 2);
  CHECK(tracker.up());
  CHECK_FALSE(tracker.force_end(at(51)));
  // The run of replies before the forced end does not carry over: a new outage needs a new N.
  const auto again = tracker.lost(Loss::timeout, at(60));
  REQUIRE(again);
  CHECK(again->probes_lost == 1);
  CHECK(tracker.outages() == 2);
}

TEST_CASE("monitor outage: a partial run of losses does not survive a reply", "[monitor]") {
  OutageTracker tracker(2, 1);
  tracker.lost(Loss::timeout, at(1));
  tracker.replied(at(2));
  CHECK_FALSE(tracker.lost(Loss::timeout, at(3)));
  const auto start = tracker.lost(Loss::timeout, at(4));
  REQUIRE(start);
  CHECK(start->time == at(3));
  CHECK(start->probes_lost == 2);
}
