#include "monitor/schedule.hpp"

#include <algorithm>

namespace uping::monitor {
namespace {

// 128 bits: (send % targets) · interval reaches 10^6 targets · 3600 s in nanoseconds, past 2^63
// once multiplied by anything larger; no product may wrap.
__extension__ typedef __int128 Wide;

}  // namespace

SendSchedule::SendSchedule(Time interval, Time start, std::size_t targets) noexcept
    : interval_(std::max(interval, Time{1})), start_(start), targets_(targets) {}

SendSchedule::Time SendSchedule::time_of(std::uint64_t send) const noexcept {
  if (targets_ == 0) return Time::max();
  const Wide interval = interval_.count();
  const Wide round = send / targets_;
  const Wide slot = send % targets_;
  const Wide offset = round * interval + slot * interval / static_cast<Wide>(targets_);
  return start_ + Time(static_cast<Time::rep>(offset));
}

SendSchedule::Time SendSchedule::next_time() const noexcept { return time_of(next_); }

SendSchedule::Due SendSchedule::due(Time now) noexcept {
  if (targets_ == 0 || now < start_) return Due{next_, next_, 0};
  // How many sends have time_of(s) <= now: whole rounds, then the slots k of the current round
  // with floor(k·I/n) <= rem, i.e. k·I < (rem + 1)·n.
  const Wide interval = interval_.count();
  const Wide targets = static_cast<Wide>(targets_);
  const Wide elapsed = (now - start_).count();
  const Wide rounds = elapsed / interval;
  const Wide rem = elapsed % interval;
  const Wide in_round = std::min(((rem + 1) * targets + interval - 1) / interval, targets);
  const auto last = static_cast<std::uint64_t>(rounds * targets + in_round);
  if (last <= next_) return Due{next_, next_, 0};
  Due due{next_, last, 0};
  // Older than one round means more than an interval late: those are dropped, not sent in a burst.
  if (last - next_ > targets_) {
    due.first = last - targets_;
    due.skipped = due.first - next_;
  }
  next_ = last;
  return due;
}

void SendSchedule::restart(Time start, std::size_t targets) noexcept {
  start_ = start;
  targets_ = targets;
  next_ = 0;
}

}  // namespace uping::monitor
