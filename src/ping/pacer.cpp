#include "ping/pacer.hpp"

#include <algorithm>

namespace uping {

Pacer::Clock::duration Pacer::delay(Clock::time_point now, std::uint64_t in_flight) noexcept {
  const Clock::duration interval = std::chrono::milliseconds(interval_ms_);
  const auto preload = static_cast<std::uint64_t>(std::max(rules_.preload, 1U));
  if (!started_) {
    started_ = true;
    last_token_time_ = now;
    tokens_ = interval * static_cast<Clock::rep>(preload - 1);
    return Clock::duration::zero();
  }
  const auto elapsed = now - last_token_time_;
  if (interval_ms_ == 0 && elapsed < kMinimumWait && in_flight >= preload) return kMinimumWait - elapsed;
  const auto cap = interval * static_cast<Clock::rep>(preload);
  const auto available = std::min(elapsed + tokens_, cap);
  if (available < interval) return interval - available;
  last_token_time_ = now;
  tokens_ = available - interval;
  return Clock::duration::zero();
}

void Pacer::adapt(std::optional<Micros> ewma) noexcept {
  const Micros estimate = ewma.value_or(static_cast<Micros>(interval_ms_) * 1000);
  interval_ms_ = static_cast<int>((estimate + addend_us_ + 500) / 1000);
  if (!rules_.root && interval_ms_ < kMinUserIntervalMs) interval_ms_ = kMinUserIntervalMs;
}

Pacer::Clock::duration Pacer::back_off(std::optional<Micros> ewma) noexcept {
  addend_us_ += std::min<Micros>(ewma.value_or(0), kMaxAddendStep);
  if (rules_.adaptive) adapt(ewma);
  return std::chrono::milliseconds(std::clamp(interval_ms_ / 2, 10, 500));
}

}  // namespace uping
