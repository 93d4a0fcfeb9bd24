#pragma once
// iputils' pacing of a single-target run (its pinger() and the -A update), as a pure class: times
// come in as arguments, nothing here reads a clock.
//
//   - a token bucket of `preload` probes: the first `preload` leave at once, then one per interval,
//     and an idle stretch saves up at most `preload` intervals;
//   - interval 0 (root's flood, "-i 0"): a probe leaves as soon as fewer than `preload` are
//     unanswered, else 10 ms after the previous one (a reply lost must not stop the flood);
//   - -A: the interval follows the smoothed round-trip time plus a back-off addend, at least 2 ms
//     for a user;
//   - a full device queue (ENOBUFS): the addend grows by the smoothed round-trip time (at most
//     50 ms a step) and sending pauses for half an interval, between 10 and 500 ms.

#include <chrono>
#include <cstdint>
#include <optional>

#include "uping/stats.hpp"

namespace uping {

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;
  // iputils' shortest wait when it has to come back soon: a socket buffer full, or interval 0
  // with `preload` probes unanswered.
  static constexpr Clock::duration kMinimumWait = std::chrono::milliseconds(10);
  static constexpr int kMinUserIntervalMs = 2;
  static constexpr Micros kMaxAddendStep = 50000;

  struct Rules {
    int interval_ms = 1000;  // effective_interval_ms(options): 0 for a flood
    unsigned preload = 1;    // -l
    bool adaptive = false;   // -A
    bool root = false;       // real uid 0: no 2 ms floor for -A
  };
  explicit Pacer(Rules rules) noexcept : rules_(rules), interval_ms_(rules.interval_ms) {}

  // How long from `now` until the next probe may leave, with `in_flight` probes unanswered.
  // Zero: now, and the probe's token is taken (call once per probe sent).
  Clock::duration delay(Clock::time_point now, std::uint64_t in_flight) noexcept;

  // -A after a timed reply: the next interval from the smoothed round-trip time.
  void adapt(std::optional<Micros> ewma) noexcept;

  // A send refused with ENOBUFS / ENOMEM: grows the back-off addend (and adapts with -A); returns
  // how long to wait before sending again.
  Clock::duration back_off(std::optional<Micros> ewma) noexcept;

  // The interval now (changes only with -A).
  int interval_ms() const noexcept { return interval_ms_; }

 private:
  Rules rules_;
  int interval_ms_;
  Micros addend_us_ = 0;
  bool started_ = false;
  Clock::time_point last_token_time_{};
  Clock::duration tokens_{};
};

}  // namespace uping
