#pragma once
// When each target is probed: n targets share the interval evenly (target k at start + k·I/n,
// then every I), so sends never come in a burst at each tick, and every time is computed from the
// start, so the schedule never drifts. Pure: the caller brings the clock.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace uping::monitor {

class SendSchedule {
 public:
  using Time = std::chrono::nanoseconds;  // a monotonic clock's reading

  // interval > 0; targets may be 0 (nothing is ever due).
  SendSchedule(Time interval, Time start, std::size_t targets) noexcept;

  // Sends are numbered from 0 since the (re)start: send s goes to target s % targets, at
  // time_of(s) = start + (s / targets)·interval + (s % targets)·interval / targets.
  struct Due {
    std::uint64_t first = 0;  // [first, last): the sends due now, in order
    std::uint64_t last = 0;
    std::uint64_t skipped = 0;  // sends more than one interval late, dropped instead of bursting
  };
  // The sends due at `now` since the previous call. After a stall (a suspended process, a slow
  // handler) at most one round (`targets` sends) is returned; older ones are skipped, not sent late.
  Due due(Time now) noexcept;
  Time time_of(std::uint64_t send) const noexcept;
  Time next_time() const noexcept;  // when the next send is due (far future with no targets)
  std::size_t target_of(std::uint64_t send) const noexcept { return static_cast<std::size_t>(send % targets_); }

  // After a reload: the same interval, a new set of targets, numbering restarts at `start`.
  void restart(Time start, std::size_t targets) noexcept;

 private:
  Time interval_;
  Time start_;
  std::size_t targets_;
  std::uint64_t next_ = 0;
};

}  // namespace uping::monitor
