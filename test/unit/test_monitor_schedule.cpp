// The monitor's send schedule: targets spread over the interval, times from the start (no drift),
// at most one round after a stall, no targets, restart.
#include <chrono>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/schedule.hpp"

using uping::monitor::SendSchedule;
using Time = SendSchedule::Time;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("monitor schedule: n targets share the interval evenly", "[monitor]") {
  const Time start = seconds(100);
  SendSchedule schedule(seconds(1), start, 4);
  CHECK(schedule.time_of(0) == start);
  CHECK(schedule.time_of(1) == start + milliseconds(250));
  CHECK(schedule.time_of(3) == start + milliseconds(750));
  CHECK(schedule.time_of(4) == start + seconds(1));
  CHECK(schedule.time_of(9) == start + milliseconds(2250));
  CHECK(schedule.target_of(9) == 1);
  CHECK(schedule.next_time() == start);
}

TEST_CASE("monitor schedule: due returns each send once, at its time", "[monitor]") {
  const Time start = seconds(5);
  SendSchedule schedule(seconds(1), start, 3);
  auto due = schedule.due(start - Time(1));
  CHECK(due.first == due.last);
  due = schedule.due(start);
  CHECK(due.first == 0);
  CHECK(due.last == 1);
  CHECK(due.skipped == 0);
  CHECK(schedule.due(start).first == schedule.due(start).last);  // nothing twice
  // 1/3 s is 333,333,333 ns (rounded down): due exactly then, not a nanosecond before.
  CHECK(schedule.next_time() == start + Time(333'333'333));
  CHECK(schedule.due(start + Time(333'333'332)).last == 1);
  due = schedule.due(start + Time(333'333'333));
  CHECK(due.first == 1);
  CHECK(due.last == 2);
  // Late by less than one interval: everything due comes, in order.
  due = schedule.due(start + milliseconds(1500));
  CHECK(due.first == 2);
  CHECK(due.last == 5);
  CHECK(due.skipped == 0);
}

TEST_CASE("monitor schedule: due agrees with time_of for every uneven split", "[monitor]") {
  for (const std::size_t targets : {1U, 2U, 3U, 7U, 10U, 999U}) {
    for (const Time interval : {Time(1), Time(7), Time(1000), Time(milliseconds(10)), Time(seconds(3))}) {
      const Time start = seconds(1);
      SendSchedule reference(interval, start, targets);
      SendSchedule schedule(interval, start, targets);
      std::uint64_t expected = 0;
      // Every wake-up at a send's own time returns exactly the sends whose time has come.
      for (int step = 0; step < 3000; ++step) {
        const Time now = schedule.next_time();
        while (reference.time_of(expected) <= now) ++expected;
        const auto due = schedule.due(now);
        INFO("targets " << targets << " interval " << interval.count() << " step " << step);
        REQUIRE(due.skipped == 0);
        REQUIRE(due.last == expected);
        REQUIRE(due.first < due.last);
      }
    }
  }
}

TEST_CASE("monitor schedule: no drift over 10^7 sends", "[monitor]") {
  const Time start = seconds(1'000'000);
  const Time interval = Time(1'000'000'007);  // an interval no target count divides
  SendSchedule schedule(interval, start, 7);
  std::uint64_t sends = 0;
  std::uint64_t faults = 0;  // counted rather than asserted: 10^7 assertions cost seconds
  Time previous = start;
  while (sends < 10'000'000) {
    const Time now = schedule.next_time();
    const auto due = schedule.due(now);
    if (now < previous || due.first != sends || due.skipped != 0 || due.last != sends + 1) ++faults;
    previous = now;
    sends = due.last;
  }
  CHECK(faults == 0);
  CHECK(sends == 10'000'000);
  // 10^7 = 7 · 1,428,571 + 3: the round's start plus 3/7 of an interval (rounded down), from the start.
  CHECK(schedule.time_of(10'000'000) == start + 1'428'571 * interval + Time(428'571'431));
  CHECK(schedule.time_of(70'000'000) == start + 10'000'000 * interval);
}

TEST_CASE("monitor schedule: after a stall, one round at most; older sends are skipped", "[monitor]") {
  const Time start = seconds(0);
  SendSchedule schedule(seconds(1), start, 4);
  schedule.due(start);  // send 0
  // Suspended for 10.3 s: sends 1..41 are due (time_of(41) = 10.25 s); only the last round goes.
  const auto due = schedule.due(milliseconds(10'300));
  CHECK(due.last == 42);
  CHECK(due.first == 38);
  CHECK(due.skipped == 37);
  CHECK(due.last - due.first == 4);
  CHECK(schedule.next_time() == milliseconds(10'500));
  // Exactly one round late is not skipped.
  SendSchedule exact(seconds(1), start, 4);
  const auto round = exact.due(milliseconds(750));
  CHECK(round.first == 0);
  CHECK(round.last == 4);
  CHECK(round.skipped == 0);
}

TEST_CASE("monitor schedule: no targets, nothing due ever", "[monitor]") {
  SendSchedule schedule(seconds(1), seconds(0), 0);
  CHECK(schedule.next_time() == Time::max());
  const auto due = schedule.due(seconds(1'000'000));
  CHECK(due.first == due.last);
  CHECK(due.skipped == 0);
}

TEST_CASE("monitor schedule: restart renumbers from the new start over the new count", "[monitor]") {
  SendSchedule schedule(seconds(2), seconds(0), 2);
  schedule.due(seconds(5));
  schedule.restart(seconds(7), 0);
  CHECK(schedule.next_time() == Time::max());
  CHECK(schedule.due(seconds(100)).last == 0);
  schedule.restart(seconds(100), 5);
  CHECK(schedule.next_time() == seconds(100));
  CHECK(schedule.time_of(1) == seconds(100) + milliseconds(400));
  const auto due = schedule.due(seconds(101));
  CHECK(due.first == 0);
  CHECK(due.last == 3);
  CHECK(schedule.target_of(7) == 2);
}

TEST_CASE("monitor schedule: a million targets at an hour's interval do not overflow", "[monitor]") {
  const Time hour = seconds(3600);
  SendSchedule schedule(hour, seconds(0), 1'000'000);
  CHECK(schedule.time_of(999'999) == Time(hour.count() / 1'000'000 * 999'999));
  CHECK(schedule.time_of(1'000'000) == hour);
  const auto due = schedule.due(hour - Time(1));
  CHECK(due.last == 1'000'000);
}
