#pragma once
// The outage rule, per target: down after N consecutive losses, up again after M consecutive
// replies (hysteresis, so one lost probe is not an outage and one reply is not a recovery). Pure:
// the caller passes each settled probe's send time (wall clock), so an outage starts at the first
// lost probe's send and ends at the first good one's, within one interval of the truth whatever
// the timeout. A duplicate is neither a loss nor a reply.

#include <chrono>
#include <cstdint>
#include <optional>

namespace uping::monitor {

enum class Loss : std::uint8_t { timeout, icmp_error, send_error };

using WallTime = std::chrono::nanoseconds;  // since the Unix epoch

struct OutageStart {
  WallTime time{0};              // send time of the first of the N lost probes
  Loss cause = Loss::timeout;    // the loss that completed the N
  std::uint64_t probes_lost = 0;  // N
};

struct OutageEnd {
  WallTime start{0};              // the OutageStart's time
  WallTime time{0};               // send time of the first of the M replies (or when forced)
  std::uint64_t probes_lost = 0;  // every loss from the start to the end
};

class OutageTracker {
 public:
  // down_after >= 1, up_after >= 1.
  OutageTracker(std::uint32_t down_after, std::uint32_t up_after) noexcept;

  std::optional<OutageStart> lost(Loss cause, WallTime sent) noexcept;
  std::optional<OutageEnd> replied(WallTime sent) noexcept;
  // Ends an outage in progress now (exit, new address, target removed); nothing when up.
  std::optional<OutageEnd> force_end(WallTime now) noexcept;

  bool up() const noexcept { return up_; }
  std::uint64_t outages() const noexcept { return outages_; }  // OutageStarts so far

 private:
  std::uint32_t down_after_;
  std::uint32_t up_after_;
  bool up_ = true;
  std::uint32_t run_ = 0;                 // consecutive losses (up) or replies (down)
  WallTime run_start_{0};                 // send time of the run's first probe
  std::uint64_t lost_in_outage_ = 0;      // losses since the outage started (down)
  std::uint64_t lost_since_good_ = 0;     // losses in the current run while up
  WallTime outage_start_{0};
  std::uint64_t outages_ = 0;
};

}  // namespace uping::monitor
