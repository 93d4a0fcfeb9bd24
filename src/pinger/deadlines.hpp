#pragma once
// When each probe in flight times out: a min-heap of (deadline, channel, sequence, stamp). Every
// probe has its own timeout, so sequences do not expire in the order they were sent. A probe
// settled early (a reply, an error) leaves its entry behind; the stamp, which changes at every
// send of that sequence, tells such a stale entry from the live probe that reuses the sequence.
// Stale entries are dropped as they surface and, when they outnumber the live ones, all at once,
// so the heap stays within a small multiple of the probes in flight. Pure.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace uping::pinger {

// `start` (the monotonic clock) plus `timeout`, saturated: a timeout of nanoseconds::max() (never)
// gives the latest time point instead of overflowing; a negative one gives `start`.
inline std::chrono::steady_clock::time_point deadline_after(std::chrono::nanoseconds start,
                                                            std::chrono::nanoseconds timeout) noexcept {
  using TimePoint = std::chrono::steady_clock::time_point;
  const TimePoint from(std::chrono::duration_cast<TimePoint::duration>(start));
  if (timeout <= std::chrono::nanoseconds::zero()) return from;
  const auto room = TimePoint::max() - from;
  if (std::chrono::duration_cast<std::chrono::nanoseconds>(room) <= timeout) return TimePoint::max();
  return from + std::chrono::duration_cast<TimePoint::duration>(timeout);
}

struct Deadline {
  std::chrono::steady_clock::time_point at;
  std::uint32_t stamp = 0;    // the probe's send stamp
  std::uint16_t channel = 0;  // index of the socket among the Pinger's
  std::uint16_t sequence = 0;
};

class DeadlineQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  void push(const Deadline& deadline) {
    heap_.push_back(deadline);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }

  // The earliest entry that `live` accepts; stale ones on the way are dropped.
  template <typename IsLive>
  std::optional<Deadline> earliest(IsLive&& live) {
    while (!heap_.empty()) {
      if (live(heap_.front())) return heap_.front();
      pop();
    }
    return std::nullopt;
  }

  void pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }

  // Drops every stale entry when they are more than the live ones (and a few): O(n), amortised
  // over at least as many sends.
  template <typename IsLive>
  void compact_if_sparse(std::size_t live_count, IsLive&& live) {
    if (heap_.size() <= 2 * live_count + kSlack) return;
    std::erase_if(heap_, [&](const Deadline& entry) { return !live(entry); });
    std::make_heap(heap_.begin(), heap_.end(), later);
  }

  void clear() noexcept { heap_.clear(); }
  std::size_t size() const noexcept { return heap_.size(); }
  bool empty() const noexcept { return heap_.empty(); }

 private:
  static constexpr std::size_t kSlack = 1024;
  // std::*_heap keep the largest first: "later" as the order puts the earliest first.
  static bool later(const Deadline& a, const Deadline& b) noexcept { return a.at > b.at; }
  std::vector<Deadline> heap_;
};

}  // namespace uping::pinger
