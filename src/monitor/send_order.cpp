#include "monitor/send_order.hpp"

#include <utility>

namespace uping::monitor {

void SendOrder::sent(std::uint64_t seq, WallTime at) {
  if (size_ == kMaxInFlight) {
    // Should never happen (each probe settles within its timeout); keep going rather than grow.
    forced_ = Settled{Outcome::timeout, this->at(0).sent};
    head_ = (head_ + 1) % ring_.size();
    --size_;
  }
  if (size_ == ring_.size()) {
    std::vector<Entry> grown(ring_.empty() ? 2 : ring_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) grown[i] = this->at(i);
    ring_ = std::move(grown);
    head_ = 0;
  }
  ring_[(head_ + size_) % ring_.size()] = Entry{seq, at, Outcome::pending};
  ++size_;
}

bool SendOrder::settle(std::uint64_t seq, Outcome outcome) noexcept {
  if (size_ == 0 || outcome == Outcome::pending) return false;
  // Usually the oldest or nearly: probes settle in about the order they were sent.
  for (std::size_t i = 0; i < size_; ++i) {
    Entry& entry = at(i);
    if (entry.seq != seq) continue;
    if (entry.outcome != Outcome::pending) return false;
    entry.outcome = outcome;
    return true;
  }
  return false;
}

std::optional<SendOrder::Settled> SendOrder::pop() noexcept {
  if (forced_) return std::exchange(forced_, std::nullopt);
  if (size_ == 0 || at(0).outcome == Outcome::pending) return std::nullopt;
  const Entry oldest = at(0);
  head_ = (head_ + 1) % ring_.size();
  --size_;
  return Settled{oldest.outcome, oldest.sent};
}

}  // namespace uping::monitor
