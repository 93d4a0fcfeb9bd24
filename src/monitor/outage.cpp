#include "monitor/outage.hpp"

#include <algorithm>

namespace uping::monitor {

OutageTracker::OutageTracker(std::uint32_t down_after, std::uint32_t up_after) noexcept
    : down_after_(std::max<std::uint32_t>(down_after, 1)), up_after_(std::max<std::uint32_t>(up_after, 1)) {}

std::optional<OutageStart> OutageTracker::lost(Loss cause, WallTime sent) noexcept {
  if (!up_) {
    ++lost_in_outage_;
    run_ = 0;  // a loss breaks the run of replies that would end the outage
    return std::nullopt;
  }
  // Probes settle out of order when the timeout exceeds the interval: the run starts at its
  // earliest send, whichever settled first.
  run_start_ = run_ == 0 ? sent : std::min(run_start_, sent);
  ++run_;
  ++lost_since_good_;
  if (run_ < down_after_) return std::nullopt;
  up_ = false;
  ++outages_;
  outage_start_ = run_start_;
  lost_in_outage_ = lost_since_good_;
  lost_since_good_ = 0;
  run_ = 0;
  return OutageStart{outage_start_, cause, lost_in_outage_};
}

std::optional<OutageEnd> OutageTracker::replied(WallTime sent) noexcept {
  if (up_) {
    run_ = 0;
    lost_since_good_ = 0;
    return std::nullopt;
  }
  run_start_ = run_ == 0 ? sent : std::min(run_start_, sent);
  ++run_;
  if (run_ < up_after_) return std::nullopt;
  up_ = true;
  run_ = 0;
  const OutageEnd end{outage_start_, run_start_, lost_in_outage_};
  lost_in_outage_ = 0;
  return end;
}

std::optional<OutageEnd> OutageTracker::force_end(WallTime now) noexcept {
  if (up_) return std::nullopt;
  up_ = true;
  run_ = 0;
  lost_since_good_ = 0;
  const OutageEnd end{outage_start_, now, lost_in_outage_};
  lost_in_outage_ = 0;
  return end;
}

}  // namespace uping::monitor
