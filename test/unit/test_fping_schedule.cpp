// fping's main loop as a schedule: when probes go (-i between any two, -p per target), when they
// time out, the default mode's retries with -B's backoff, count and loop modes, -X's early stop.
#include <cstdint>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/options.hpp"
#include "fping/schedule.hpp"

using uping::fping::FpingOptions;
using uping::fping::ReplyVerdict;
using uping::fping::RunMode;
using uping::fping::Schedule;
using uping::fping::ScheduleNanos;
using uping::fping::ScheduleSettings;
using uping::fping::SendOutcome;
using uping::fping::Step;

namespace {

constexpr ScheduleNanos kMs = 1'000'000;

struct Sent {
  ScheduleNanos at;
  std::size_t target;
  std::uint32_t seq;
  bool operator==(const Sent&) const = default;
};

struct Run {
  std::vector<Sent> sent;
  std::vector<Sent> timeouts;
  ScheduleNanos end = 0;
};

// Drives the schedule as the engine does, every send leaving and nothing answering, time jumping
// to each wake-up; `answer` may reply to a probe right after it is sent.
template <typename Answer>
Run drive(Schedule& schedule, Answer answer, ScheduleNanos limit = 100'000 * kMs) {
  Run run;
  ScheduleNanos now = 0;
  while (now < limit) {
    const Step step = schedule.next(now);
    if (step.kind == Step::Kind::done) {
      run.end = now;
      break;
    }
    if (step.kind == Step::Kind::wait) {
      REQUIRE(step.at >= now);
      now = step.at;
      continue;
    }
    if (step.kind == Step::Kind::timeout) {
      run.timeouts.push_back({now, step.target, step.seq});
      if (!step.retry) continue;
    }
    run.sent.push_back({now, step.target, step.seq});
    schedule.sent(step, now, SendOutcome::left);
    answer(schedule, step, now);
  }
  return run;
}

Run drive_silent(Schedule& schedule, ScheduleNanos limit = 100'000 * kMs) {
  return drive(
      schedule, [](Schedule&, const Step&, ScheduleNanos) {}, limit);
}

ScheduleSettings settings(RunMode mode) {
  ScheduleSettings s;
  s.mode = mode;
  s.interval = 10 * kMs;
  s.period = 1000 * kMs;
  s.timeout = 500 * kMs;
  s.backoff = 1.5F;
  s.backoff_on = mode != RunMode::loop;
  s.duplicates_count = mode == RunMode::loop;
  return s;
}

}  // namespace

TEST_CASE("fping schedule: -i spaces the first probes of every target", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  s.retry = 0;
  Schedule schedule(s, 3, 0);
  const Run run = drive_silent(schedule);
  CHECK(run.sent == std::vector<Sent>{{0, 0, 0}, {10 * kMs, 1, 0}, {20 * kMs, 2, 0}});
  CHECK(run.timeouts == std::vector<Sent>{{500 * kMs, 0, 0}, {510 * kMs, 1, 0}, {520 * kMs, 2, 0}});
  CHECK(run.end == 520 * kMs);
}

TEST_CASE("fping schedule: default-mode retries after each timeout, growing by -B", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  s.retry = 3;
  Schedule schedule(s, 1, 0);
  const Run run = drive_silent(schedule);
  // Timeouts 500, 750, 1125, 1687.5 ms, each product taken in float as fping's int64 *= float
  // does (1125 ms and 1687.5 ms are not floats: 1124999936 and 1687499904 ns). Every try is
  // index 0, as fping numbers them.
  constexpr ScheduleNanos third = 1'124'999'936;
  constexpr ScheduleNanos fourth = 1'687'499'904;
  CHECK(run.sent == std::vector<Sent>{{0, 0, 0}, {500 * kMs, 0, 0}, {1250 * kMs, 0, 0}, {1250 * kMs + third, 0, 0}});
  CHECK(run.timeouts.size() == 4);
  CHECK(run.end == 1250 * kMs + third + fourth);
  CHECK(schedule.longest_timeout() == fourth);
}

TEST_CASE("fping schedule: -B 1 keeps the timeout, -r 0 sends once", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  s.retry = 2;
  s.backoff = 1.0F;
  Schedule flat(s, 1, 0);
  CHECK(drive_silent(flat).sent == std::vector<Sent>{{0, 0, 0}, {500 * kMs, 0, 0}, {1000 * kMs, 0, 0}});
  s.retry = 0;
  Schedule once(s, 1, 0);
  CHECK(drive_silent(once).sent.size() == 1);
}

TEST_CASE("fping schedule: a reply ends the default mode's tries and resets the timeout", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  Schedule schedule(s, 2, 0);
  // Target 1 answers its second try; target 0 never answers.
  int tries = 0;
  const Run run = drive(schedule, [&tries](Schedule& sch, const Step& step, ScheduleNanos) {
    if (step.target == 1 && ++tries == 2) CHECK(sch.reply(1, 0, 2 * kMs, false) == ReplyVerdict::counted);
  });
  std::size_t tries_of_1 = 0;
  for (const auto& sent : run.sent) tries_of_1 += sent.target == 1 ? 1 : 0;
  CHECK(tries_of_1 == 2);
  CHECK(schedule.timeout_of(1) == 500 * kMs);
  CHECK(schedule.timeout_of(0) > 500 * kMs);
}

TEST_CASE("fping schedule: count mode sends one probe per period per target", "[fping]") {
  ScheduleSettings s = settings(RunMode::count);
  s.count = 3;
  s.period = 200 * kMs;
  s.timeout = 200 * kMs;
  Schedule schedule(s, 2, 0);
  const Run run = drive_silent(schedule);
  CHECK(run.sent ==
        std::vector<Sent>{
            {0, 0, 0}, {10 * kMs, 1, 0}, {200 * kMs, 0, 1}, {210 * kMs, 1, 1}, {400 * kMs, 0, 2}, {410 * kMs, 1, 2}});
  // No retries in count mode; the run ends with the last timeout.
  CHECK(run.timeouts.size() == 6);
  CHECK(run.end == 610 * kMs);
}

TEST_CASE("fping schedule: -p is kept from the due time, not from a late send", "[fping]") {
  ScheduleSettings s = settings(RunMode::count);
  s.count = 2;
  s.interval = 300 * kMs;  // -i longer than the gap the period leaves between two targets
  s.period = 500 * kMs;
  Schedule schedule(s, 2, 0);
  const Run run = drive_silent(schedule);
  // Target 1's first probe waits for -i (300), its second is still due at 0 + 500, sent at 600.
  CHECK(run.sent == std::vector<Sent>{{0, 0, 0}, {300 * kMs, 1, 0}, {600 * kMs, 0, 1}, {900 * kMs, 1, 1}});
}

TEST_CASE("fping schedule: loop mode never ends and has no backoff", "[fping]") {
  ScheduleSettings s = settings(RunMode::loop);
  s.period = 100 * kMs;
  s.timeout = 100 * kMs;
  Schedule schedule(s, 1, 0);
  const Run run = drive_silent(schedule, 1000 * kMs);
  CHECK(run.end == 0);  // never done
  CHECK(run.sent.size() == 10);
  CHECK(run.sent[9] == Sent{900 * kMs, 0, 9});
  CHECK(schedule.timeout_of(0) == 100 * kMs);
}

TEST_CASE("fping schedule: replies later than the timeout and duplicates", "[fping]") {
  ScheduleSettings s = settings(RunMode::count);
  s.count = 2;
  Schedule schedule(s, 1, 0);
  Step first = schedule.next(0);
  REQUIRE(first.kind == Step::Kind::send);
  schedule.sent(first, 0, SendOutcome::left);
  CHECK(schedule.reply(0, 0, 501 * kMs, false) == ReplyVerdict::discarded);
  CHECK(schedule.reply(0, 0, 5 * kMs, false) == ReplyVerdict::counted);
  CHECK(schedule.reply(0, 0, 6 * kMs, true) == ReplyVerdict::duplicate);
  // In loop mode fping has no duplicate check: an extra reply within the timeout counts again
  // (reported to the Book as a duplicate, which counts it), a late one is dropped.
  ScheduleSettings l = settings(RunMode::loop);
  Schedule loop(l, 1, 0);
  Step probe = loop.next(0);
  loop.sent(probe, 0, SendOutcome::left);
  CHECK(loop.reply(0, 0, 5 * kMs, false) == ReplyVerdict::counted);
  CHECK(loop.reply(0, 0, 6 * kMs, true) == ReplyVerdict::duplicate);
  CHECK(loop.reply(0, 0, 2000 * kMs, true) == ReplyVerdict::discarded);
}

TEST_CASE("fping schedule: a counted reply cancels the probe's timeout", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  Schedule schedule(s, 1, 0);
  const Step probe = schedule.next(0);
  schedule.sent(probe, 0, SendOutcome::left);
  REQUIRE(schedule.reply(0, 0, kMs, false) == ReplyVerdict::counted);
  CHECK(schedule.next(kMs).kind == Step::Kind::done);
}

TEST_CASE("fping schedule: a refused send is settled, a busy one tried again", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  Schedule schedule(s, 2, 0);
  const Step first = schedule.next(0);
  schedule.sent(first, 0, SendOutcome::failed);  // no timeout, no retry for target 0
  const Step second = schedule.next(10 * kMs);
  REQUIRE(second.kind == Step::Kind::send);
  CHECK(second.target == 1);
  schedule.sent(second, 10 * kMs, SendOutcome::busy, 11 * kMs);
  const Step wait = schedule.next(10 * kMs);
  REQUIRE(wait.kind == Step::Kind::wait);
  // The busy probe is due again at 11 ms (a probe that did not leave does not restart -i).
  CHECK(wait.at == 11 * kMs);
  const Step again = schedule.next(11 * kMs);
  CHECK(again.kind == Step::Kind::send);
  CHECK(again.target == 1);
}

TEST_CASE("fping schedule: -X stops once enough targets answered, -x does not", "[fping]") {
  FpingOptions options;
  options.min_reachable = 2;
  options.fast_reachable = true;
  CHECK_FALSE(uping::fping::reached_enough(options, 1));
  CHECK(uping::fping::reached_enough(options, 2));
  options.fast_reachable = false;  // -x waits for the end
  CHECK_FALSE(uping::fping::reached_enough(options, 5));
}

TEST_CASE("fping schedule settings from the options", "[fping]") {
  FpingOptions options;
  CHECK(ScheduleSettings::from(options).mode == RunMode::once);
  options.count_mode = true;
  options.quiet = true;
  const ScheduleSettings count = ScheduleSettings::from(options);
  CHECK(count.mode == RunMode::count);
  CHECK(count.duplicates_count);  // -c -q: fping counts a duplicate as a reply
  options.count_mode = false;
  options.quiet = false;
  options.loop = true;
  options.backoff_on = false;
  const ScheduleSettings loop = ScheduleSettings::from(options);
  CHECK(loop.mode == RunMode::loop);
  CHECK_FALSE(loop.backoff_on);
}

TEST_CASE("fping schedule: -c 4000000000 over many targets allocates per probe answered, not per count", "[fping]") {
  ScheduleSettings s = settings(RunMode::count);
  s.count = 4'000'000'000U;
  Schedule schedule(s, 131'072, 0);  // -g's largest IPv4 block: 500 MB per target if sized by -c
  Step step = schedule.next(0);
  REQUIRE(step.kind == Step::Kind::send);
  schedule.sent(step, 0, SendOutcome::left);
  CHECK(schedule.reply(step.target, step.seq, 1 * kMs, false) == ReplyVerdict::counted);
  CHECK(schedule.reply(step.target, step.seq, 1 * kMs, false) == ReplyVerdict::duplicate);
}

TEST_CASE("fping schedule: -t, -p and -i beyond a day wait a day, never overflow into the past", "[fping]") {
  FpingOptions options;
  options.timeout_ns = std::numeric_limits<std::int64_t>::max();  // -t 1e20 saturates so
  options.period_ns = std::numeric_limits<std::int64_t>::max();
  options.interval_ns = std::numeric_limits<std::int64_t>::max();
  options.count_mode = true;
  options.count = 2;
  Schedule schedule(ScheduleSettings::from(options), 2, 1000 * kMs);
  Step step = schedule.next(1000 * kMs);
  REQUIRE(step.kind == Step::Kind::send);
  schedule.sent(step, 1000 * kMs, SendOutcome::left);
  step = schedule.next(1001 * kMs);
  REQUIRE(step.kind == Step::Kind::wait);  // not a timeout at once, nor the next send
  CHECK(step.at > 1001 * kMs);
  CHECK(step.at <= 1000 * kMs + uping::fping::kLongestTimeout);
}

TEST_CASE("fping schedule: the longest timeout of -r 4000000000 -B 1 is found at once", "[fping]") {
  ScheduleSettings s = settings(RunMode::once);
  s.retry = 4'000'000'000U;
  s.backoff = 1.0F;
  CHECK(Schedule(s, 1, 0).longest_timeout() == 500 * kMs);  // looped four billion times before
  s.backoff = 5.0F;
  CHECK(Schedule(s, 1, 0).longest_timeout() == uping::fping::kLongestTimeout);
}
