#pragma once
// Private to src/sweep.cpp: a target while it is probed, the token that ties a probe to it, and
// the queue entry of its next probe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "multi/sweep.hpp"
#include "multi/sweep_intake.hpp"
#include "multi/sweep_options.hpp"
#include "multi/sweep_output.hpp"
#include "system/resolve.hpp"
#include "uping/pinger.hpp"
#include "uping/rtt_statistics.hpp"
#include "uping/stats.hpp"

namespace uping::sweep {

using Clock = std::chrono::steady_clock;

// A probe token: the target's slot, the slot's generation (a retired target's late packets must
// not reach its successor) and the probe number.
constexpr unsigned kProbeBits = 24;
constexpr unsigned kGenerationBits = 20;
constexpr std::uint64_t kProbeMask = (std::uint64_t{1} << kProbeBits) - 1;
constexpr std::uint64_t kGenerationMask = (std::uint64_t{1} << kGenerationBits) - 1;
static_assert(kMaxCount <= kProbeMask);
static_assert(kMaxActiveTargets <= (std::uint64_t{1} << (64 - kProbeBits - kGenerationBits)));

struct TokenParts {
  std::uint32_t slot;
  std::uint32_t generation;
  std::uint32_t probe;
};

inline ProbeToken make_token(std::uint32_t slot, std::uint32_t generation, std::uint32_t probe) {
  return (std::uint64_t{slot} << (kProbeBits + kGenerationBits)) | ((generation & kGenerationMask) << kProbeBits) |
         (probe & kProbeMask);
}

inline TokenParts split_token(ProbeToken token) {
  return {static_cast<std::uint32_t>(token >> (kProbeBits + kGenerationBits)),
          static_cast<std::uint32_t>((token >> kProbeBits) & kGenerationMask),
          static_cast<std::uint32_t>(token & kProbeMask)};
}

// One target being probed.
struct ActiveTarget {
  std::string text;          // as given
  std::string address_text;  // numeric, canonical
  bool literal = false;      // given as an address
  SocketAddress address;
  std::uint32_t generation = 0;
  std::uint32_t probes = 0;   // probe numbers used: sent, or refused by the kernel
  std::uint32_t settled = 0;  // probes answered, failed, timed out or refused
  std::uint32_t timeouts = 0;
  std::uint32_t send_errors = 0;
  Statistics stats;
  std::optional<RttStatistics> rtt;  // --json only: percentiles and jitter; kept with the slot, cleared
  Clock::time_point first_send;
  Clock::time_point last_send;
  bool in_use = false;

  // Starts probing a target taken from the sources, in a slot that may have held another one.
  void start(TakenTarget&& taken, bool with_rtt) {
    text = std::move(taken.text);
    address_text = std::move(taken.address_text);
    literal = taken.literal;
    address = taken.address;
    probes = settled = timeouts = send_errors = 0;
    stats = Statistics{};
    if (with_rtt && rtt) {
      rtt->clear();
    } else if (with_rtt) {
      rtt.emplace();
    }
    in_use = true;
  }
};

// The targets being probed, in slots reused as targets retire; a slot's generation tells a
// retired target's late packets from its successor's.
class TargetSlots {
 public:
  // A free slot (or a new one), counted as active: ActiveTarget::start fills it.
  std::uint32_t take() {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(targets_.size());
      targets_.emplace_back();
    }
    ++active_;
    return slot;
  }
  // The slot is free for the next target; the retired one's packets no longer find it.
  void release(ActiveTarget& target) {
    target.in_use = false;
    target.text.clear();
    target.text.shrink_to_fit();
    ++target.generation;
    --active_;
    free_.push_back(static_cast<std::uint32_t>(&target - targets_.data()));
  }
  ActiveTarget& operator[](std::uint32_t slot) { return targets_[slot]; }
  bool holds(std::uint32_t slot, std::uint32_t generation) const {
    return targets_[slot].in_use && targets_[slot].generation == generation;
  }
  // The active target a probe token names, and its probe number; nullptr for a retired one.
  ActiveTarget* find(ProbeToken token, std::uint32_t& probe) {
    const TokenParts parts = split_token(token);
    if (parts.slot >= targets_.size()) return nullptr;
    ActiveTarget& target = targets_[parts.slot];
    if (!target.in_use || (target.generation & kGenerationMask) != parts.generation) return nullptr;
    probe = parts.probe;
    return &target;
  }
  std::size_t active() const noexcept { return active_; }
  auto begin() { return targets_.begin(); }
  auto end() { return targets_.end(); }

 private:
  std::vector<ActiveTarget> targets_;  // grows to the most targets active at once
  std::vector<std::uint32_t> free_;
  std::size_t active_ = 0;
};

// Asked of the kernel for each socket; it silently caps the value at net.core.rmem_max for an
// unprivileged process. What is dropped anyway is counted (SO_RXQ_OVFL) and reported.
constexpr int kReceiveBufferWanted = 4 << 20;

inline PingerSettings pinger_settings(const SweepOptions& options) {
  PingerSettings settings;
  settings.payload_size = options.payload_size;
  settings.timeout = options.timeout;
  settings.ttl = options.ttl;
  settings.receive_buffer_bytes = kReceiveBufferWanted;
  return settings;
}

// A retired target's share of the run's totals: alive, else unreachable (lost), else unfinished.
inline void count_retired(RunTotals& totals, const ActiveTarget& target, bool alive, bool lost) {
  ++(alive ? totals.alive : lost ? totals.unreachable : totals.unfinished);
  totals.send_errors += target.send_errors;
  totals.received += target.stats.received();
  totals.duplicates += target.stats.duplicates();
  totals.errors += target.stats.errors();
  totals.timeouts += target.timeouts;
  if (target.rtt && alive) totals.rtt.merge(*target.rtt);  // as its summary: figures only with an answer
}

// A target's next probe; every target has the same interval, so due times come in push order.
struct DueProbe {
  Clock::time_point at;
  std::uint32_t slot;
  std::uint32_t generation;
};

}  // namespace uping::sweep
