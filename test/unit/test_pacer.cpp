#include <chrono>

#include <catch2/catch.hpp>

#include "ping/pacer.hpp"

namespace {

using uping::Pacer;
using namespace std::chrono_literals;

const Pacer::Clock::time_point t0{std::chrono::seconds(1000)};

Pacer pacer(int interval_ms, unsigned preload = 1, bool adaptive = false, bool root = false) {
  return Pacer({interval_ms, preload, adaptive, root});
}

}  // namespace

TEST_CASE("pacer: the first probe leaves at once, then one per interval") {
  auto p = pacer(1000);
  CHECK(p.delay(t0, 0) == 0s);
  CHECK(p.delay(t0, 1) == 1s);
  CHECK(p.delay(t0 + 400ms, 1) == 600ms);
  CHECK(p.delay(t0 + 1s, 1) == 0s);
  CHECK(p.delay(t0 + 1s, 1) == 1s);
  // With preload 1 nothing is saved up: after a late wake-up the next is one interval later.
  CHECK(p.delay(t0 + 2050ms, 1) == 0s);
  CHECK(p.delay(t0 + 2050ms, 1) == 1s);
}

TEST_CASE("pacer: preload probes leave at once, then pacing starts") {
  auto p = pacer(1000, 3);
  CHECK(p.delay(t0, 0) == 0s);
  CHECK(p.delay(t0, 1) == 0s);
  CHECK(p.delay(t0, 2) == 0s);
  CHECK(p.delay(t0, 3) == 1s);
  CHECK(p.delay(t0 + 1s, 3) == 0s);
  CHECK(p.delay(t0 + 1s, 3) == 1s);
}

TEST_CASE("pacer: an idle stretch saves up at most preload intervals") {
  auto one = pacer(200);
  CHECK(one.delay(t0, 0) == 0s);
  CHECK(one.delay(t0 + 10s, 0) == 0s);
  CHECK(one.delay(t0 + 10s, 0) == 200ms);

  auto two = pacer(200, 2);
  CHECK(two.delay(t0, 0) == 0s);
  CHECK(two.delay(t0, 1) == 0s);
  CHECK(two.delay(t0 + 10s, 0) == 0s);
  CHECK(two.delay(t0 + 10s, 1) == 0s);
  CHECK(two.delay(t0 + 10s, 2) == 200ms);
}

TEST_CASE("pacer: interval 0 sends on each answer, else 10 ms after the previous probe") {
  auto p = pacer(0);
  CHECK(p.delay(t0, 0) == 0s);
  // Unanswered: wait for the answer, or 10 ms.
  CHECK(p.delay(t0 + 1ms, 1) == 9ms);
  CHECK(p.delay(t0 + 10ms, 1) == 0s);
  // Answered: at once.
  CHECK(p.delay(t0 + 10ms, 0) == 0s);
  CHECK(p.delay(t0 + 10ms, 0) == 0s);
  CHECK(p.delay(t0 + 12ms, 1) == 8ms);
}

TEST_CASE("pacer: interval 0 with preload keeps that many in flight") {
  auto p = pacer(0, 4);
  CHECK(p.delay(t0, 0) == 0s);
  CHECK(p.delay(t0, 1) == 0s);
  CHECK(p.delay(t0, 3) == 0s);
  CHECK(p.delay(t0 + 2ms, 4) == 8ms);
  CHECK(p.delay(t0 + 2ms, 3) == 0s);
}

TEST_CASE("pacer: -A follows the smoothed round-trip time, at least 2 ms for a user") {
  auto user = pacer(1000, 1, true, false);
  user.adapt(5000);
  CHECK(user.interval_ms() == 5);
  user.adapt(7499);
  CHECK(user.interval_ms() == 7);  // rounded to the nearest millisecond
  user.adapt(300);
  CHECK(user.interval_ms() == 2);
  user.adapt(std::nullopt);  // no estimate yet: the interval stays
  CHECK(user.interval_ms() == 2);

  auto root = pacer(1000, 1, true, true);
  root.adapt(300);
  CHECK(root.interval_ms() == 0);

  // The pacing uses the adapted interval.
  auto paced = pacer(1000, 1, true, false);
  CHECK(paced.delay(t0, 0) == 0s);
  paced.adapt(20000);
  CHECK(paced.delay(t0 + 5ms, 1) == 15ms);
}

TEST_CASE("pacer: a full device queue backs off half an interval, 10 to 500 ms, and -A slows for good") {
  auto plain = pacer(1000);
  CHECK(plain.back_off(80000) == 500ms);
  CHECK(plain.interval_ms() == 1000);
  CHECK(pacer(0).back_off(std::nullopt) == 10ms);
  CHECK(pacer(300).back_off(1000) == 150ms);

  auto adaptive = pacer(1000, 1, true);
  // The addend grows by the smoothed round-trip time, at most 50 ms a step.
  CHECK(adaptive.back_off(80000) == 65ms);
  CHECK(adaptive.interval_ms() == 130);
  adaptive.adapt(80000);
  CHECK(adaptive.interval_ms() == 130);
  CHECK(adaptive.back_off(20000) == 45ms);
  CHECK(adaptive.interval_ms() == 90);
}
