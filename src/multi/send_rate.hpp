#pragma once
// A sweep's --rate: a token bucket that refills continuously and holds at most a millisecond's
// worth, so a stall is not made up for with a burst. Pure: times come in as arguments.

#include <algorithm>
#include <chrono>

namespace uping::sweep {

class SendRate {
 public:
  using Clock = std::chrono::steady_clock;

  // `per_second` <= 0: no limit.
  explicit SendRate(double per_second) : per_second_(per_second) {}

  // One token to start with, at `now`.
  void start(Clock::time_point now) {
    tokens_ = 1;
    last_refill_ = now;
  }
  void refill(Clock::time_point now) {
    if (per_second_ <= 0) return;
    const double burst = std::max(1.0, per_second_ / 1000.0);
    const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
    tokens_ = std::min(burst, tokens_ + elapsed * per_second_);
    last_refill_ = now;
  }
  bool allows() const noexcept { return per_second_ <= 0 || tokens_ >= 1; }
  void take() noexcept {
    if (per_second_ > 0) tokens_ -= 1;
  }
  // When the next send is allowed (call when !allows()).
  Clock::time_point next_allowed(Clock::time_point now) const {
    const auto wait = std::chrono::duration<double>((1 - tokens_) / per_second_);
    return now + std::chrono::duration_cast<Clock::duration>(wait);
  }

 private:
  double per_second_;
  double tokens_ = 0;
  Clock::time_point last_refill_;
};

}  // namespace uping::sweep
