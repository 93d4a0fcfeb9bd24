#include "fping/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace uping::fping {

ScheduleNanos backed_off(ScheduleNanos timeout, float backoff) {
  // fping multiplies its int64 timeout by a float: the product is a float, truncated back.
  const float grown = static_cast<float>(timeout) * backoff;
  return grown >= static_cast<float>(kLongestTimeout) ? kLongestTimeout : static_cast<ScheduleNanos>(grown);
}

ScheduleSettings ScheduleSettings::from(const FpingOptions& options) {
  ScheduleSettings settings;
  settings.mode = options.loop ? RunMode::loop : options.count_mode ? RunMode::count : RunMode::once;
  settings.count = options.count;
  settings.retry = options.retry;
  // A day stands for longer (-t 1e20 saturates at int64's largest): due times never overflow.
  settings.interval = std::min(options.interval_ns, kLongestTimeout);
  settings.period = std::min(options.period_ns, kLongestTimeout);
  settings.timeout = std::min(options.timeout_ns, kLongestTimeout);
  settings.backoff = options.backoff;
  settings.backoff_on = options.backoff_on;
  settings.duplicates_count = options.loop || (options.count_mode && options.quiet);
  return settings;
}

Schedule::Schedule(ScheduleSettings settings, std::size_t targets, ScheduleNanos start)
    : settings_(settings), targets_(targets) {
  for (std::size_t target = 0; target < targets; ++target) {
    targets_[target].timeout = settings_.timeout;
    add_ping(target, 0, start);
  }
}

void Schedule::add_ping(std::size_t target, std::uint32_t seq, ScheduleNanos at) {
  pings_.emplace(at, order_++, target, seq);
}

void Schedule::add_timeout(std::size_t target, std::uint32_t seq, ScheduleNanos at) {
  // A probe index has one timeout at a time (a retry reuses the index of the probe it replaces).
  cancel_timeout(target, seq);
  const Event event{at, order_++, target, seq};
  timeouts_.insert(event);
  timeout_of_probe_[{target, seq}] = event;
}

bool Schedule::cancel_timeout(std::size_t target, std::uint32_t seq) {
  const auto found = timeout_of_probe_.find({target, seq});
  if (found == timeout_of_probe_.end()) return false;
  timeouts_.erase(found->second);
  timeout_of_probe_.erase(found);
  return true;
}

Step Schedule::next(ScheduleNanos now) {
  // Timeouts first: they never wait for the interval, and a retry may follow at once.
  if (!timeouts_.empty() && std::get<0>(*timeouts_.begin()) <= now) {
    const auto [at, order, target, seq] = *timeouts_.begin();
    timeouts_.erase(timeouts_.begin());
    timeout_of_probe_.erase({target, seq});
    TargetState& state = targets_[target];
    ++state.settled;
    Step step{Step::Kind::timeout, target, seq, at, false};
    if (settings_.mode == RunMode::once && std::uint64_t{state.settled} < std::uint64_t{settings_.retry} + 1) {
      if (settings_.backoff_on) state.timeout = backed_off(state.timeout, settings_.backoff);
      step.retry = true;
    }
    return step;
  }
  const bool interval_over = !sent_any_ || now - last_send_ >= settings_.interval;
  if (!pings_.empty() && std::get<0>(*pings_.begin()) <= now && interval_over) {
    const auto [at, order, target, seq] = *pings_.begin();
    pings_.erase(pings_.begin());
    return {Step::Kind::send, target, seq, at, false};
  }
  ScheduleNanos wake = std::numeric_limits<ScheduleNanos>::max();
  if (!pings_.empty()) {
    wake = std::get<0>(*pings_.begin());
    if (sent_any_) wake = std::max(wake, last_send_ + settings_.interval);
  }
  if (!timeouts_.empty()) wake = std::min(wake, std::get<0>(*timeouts_.begin()));
  if (wake == std::numeric_limits<ScheduleNanos>::max()) return {Step::Kind::done, 0, 0, 0, false};
  return {Step::Kind::wait, 0, 0, std::max(wake, now), false};
}

void Schedule::sent(const Step& step, ScheduleNanos now, SendOutcome outcome, ScheduleNanos retry_at) {
  TargetState& state = targets_[step.target];
  if (outcome == SendOutcome::busy) {
    // Tried again later (a retry too: it then waits for the interval like any probe).
    add_ping(step.target, step.seq, retry_at);
    return;
  }
  if (outcome != SendOutcome::skipped) {
    last_send_ = now;
    sent_any_ = true;
  }
  if (outcome == SendOutcome::left) {
    add_timeout(step.target, step.seq, now + state.timeout);
  } else if (outcome == SendOutcome::failed) {
    ++state.settled;
  }
  if (step.kind != Step::Kind::send) return;
  // Count and loop modes: the next probe is due one period after this one was due.
  if (settings_.mode == RunMode::loop || (settings_.mode == RunMode::count && step.seq + 1 < settings_.count)) {
    add_ping(step.target, step.seq + 1, step.at + settings_.period);
  }
}

ReplyVerdict Schedule::reply(std::size_t target, std::uint32_t seq, ScheduleNanos rtt, bool already_answered) {
  TargetState& state = targets_[target];
  const std::uint32_t indices = settings_.mode == RunMode::count ? settings_.count : 1;
  const bool tracked = settings_.mode != RunMode::loop && seq < indices;
  const bool answered_before = already_answered || (seq < state.answered.size() && state.answered[seq]);
  if (answered_before && !settings_.duplicates_count) return ReplyVerdict::duplicate;
  if (rtt > state.timeout) return ReplyVerdict::discarded;
  if (answered_before) return ReplyVerdict::duplicate;
  ++state.settled;
  if (tracked) {
    // Grown with the probes answered, never to -c's count at once.
    if (seq >= state.answered.size()) state.answered.resize(std::size_t{seq} + 1, false);
    state.answered[seq] = true;
  }
  state.timeout = settings_.timeout;
  cancel_timeout(target, seq);
  return ReplyVerdict::counted;
}

ScheduleNanos Schedule::longest_timeout() const {
  if (settings_.mode != RunMode::once || !settings_.backoff_on) return settings_.timeout;
  auto timeout = settings_.timeout;
  for (std::uint32_t retry = 0; retry < settings_.retry && timeout < kLongestTimeout; ++retry) {
    const auto grown = backed_off(timeout, settings_.backoff);
    if (grown <= timeout) return std::max(grown, timeout);  // -B 1: it stays (or shrinks once to a float)
    timeout = grown;
  }
  return timeout;
}

bool reached_enough(const FpingOptions& options, std::size_t alive_targets) {
  return options.fast_reachable && options.min_reachable > 0 && alive_targets >= options.min_reachable;
}

}  // namespace uping::fping
