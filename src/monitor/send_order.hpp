#pragma once
// One target's settled probes handed on in the order they were SENT. Probes settle out of order
// when the timeout exceeds the interval (after an outage, the replies to the first probes sent
// into a working network arrive before the timeouts of those sent into the silence), and the
// outage rule must count consecutive probes, not consecutive settlements. Pure; memory grows only
// to the probes actually in flight.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "monitor/outage.hpp"

namespace uping::monitor {

class SendOrder {
 public:
  enum class Outcome : std::uint8_t { pending, reply, timeout, icmp_error, send_error };
  struct Settled {
    Outcome outcome = Outcome::pending;
    WallTime sent{0};
  };

  // A probe no longer settles only if the caller loses it; past this many in flight the oldest is
  // handed on as a timeout, so a lost settlement cannot stall the rule or grow memory for ever.
  static constexpr std::size_t kMaxInFlight = std::size_t{1} << 16;

  // A sequence number must differ from those of the probes still in flight (it may wrap around:
  // the ring, not the number, keeps the order).
  void sent(std::uint64_t seq, WallTime at);
  // False when `seq` is not in flight (sent before forget(), or settled already).
  bool settle(std::uint64_t seq, Outcome outcome) noexcept;
  // The oldest probe, removed, once it has settled; empty while it is still in flight.
  std::optional<Settled> pop() noexcept;
  // Drops every probe in flight (a new address, a reload): their settlements are ignored.
  void forget() noexcept { head_ = size_ = 0; }
  std::size_t in_flight() const noexcept { return size_; }

 private:
  struct Entry {
    std::uint64_t seq = 0;
    WallTime sent{0};
    Outcome outcome = Outcome::pending;
  };
  Entry& at(std::size_t index) noexcept { return ring_[(head_ + index) % ring_.size()]; }

  std::vector<Entry> ring_;  // a ring: head_ is the oldest of size_ entries
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::optional<Settled> forced_;  // the oldest, pushed out by kMaxInFlight
};

}  // namespace uping::monitor
