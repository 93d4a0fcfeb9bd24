#pragma once
// fping 5.5's main loop as a pure state machine: when each probe is sent, when it times out, when a
// retry goes, and which replies count. Two queues as in fping: the probes to send (ordered by due
// time, first in first out among equals) and the timeouts of the probes in flight. The engine asks
// next(now), does what it says (sends, reports a timeout) and tells the schedule what happened.
// Times are nanoseconds of one monotonic clock; nothing here reads a clock or does I/O.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "fping/options.hpp"

namespace uping::fping {

using ScheduleNanos = std::int64_t;

// The longest a timeout, a period or an interval lasts (and a timeout grown by retries stops at):
// a day stands for any longer value, so that no due time overflows.
inline constexpr ScheduleNanos kLongestTimeout = 86'400'000'000'000;
// A timeout after one more retry: fping's int64 *= float, in float, truncated; at most kLongestTimeout.
ScheduleNanos backed_off(ScheduleNanos timeout, float backoff);

enum class RunMode : std::uint8_t {
  once,   // fping's default: one probe per target, retried after each timeout (-r, -t, -B)
  count,  // -c / -C: `count` probes per target, one per period (-p)
  loop,   // -l: one probe per target per period until interrupted
};

struct ScheduleSettings {
  RunMode mode = RunMode::once;
  std::uint32_t count = 1;               // probes per target in count mode
  std::uint32_t retry = 3;               // retries per target in the default mode
  ScheduleNanos interval = 10'000'000;   // -i: at least this between any two sends (retries excepted, as fping)
  ScheduleNanos period = 1'000'000'000;  // -p: between two probes to one target (count and loop modes)
  ScheduleNanos timeout = 500'000'000;   // -t: a probe's timeout (grows by `backoff` at each retry)
  float backoff = 1.5F;                  // -B, multiplied in float as fping does
  bool backoff_on = true;                // off in loop mode
  bool duplicates_count = false;         // -l, or -c/-C with -q: fping has no duplicate check, an extra
                                         // reply counts as a reply when it is within the timeout

  static ScheduleSettings from(const FpingOptions& options);
};

// What the engine does next.
struct Step {
  enum class Kind : std::uint8_t {
    send,     // send probe `seq` to `target` now, then call sent()
    timeout,  // probe `seq` of `target` timed out (already taken off the queue); `retry`: send it again now
    wait,     // nothing due before `at`
    done,     // no probe to send, none in flight: the run is over
  };
  Kind kind = Kind::done;
  std::size_t target = 0;
  std::uint32_t seq = 0;
  ScheduleNanos at = 0;
  bool retry = false;
};

enum class SendOutcome : std::uint8_t {
  left,     // on its way: its timeout is scheduled
  failed,   // the kernel refused it: settled at once, no timeout, no retry
  busy,     // could not leave now: the same probe is tried again at `retry_at`
  skipped,  // no socket of the target's family: fping sends nothing, counts nothing, schedules the next
};

enum class ReplyVerdict : std::uint8_t {
  counted,    // the probe's answer: report it (its timeout is cancelled)
  duplicate,  // the probe was answered before: report as a duplicate
  discarded,  // later than the target's timeout: fping ignores it
};

class Schedule {
 public:
  // Every target's first probe is due at `start`, in target order.
  Schedule(ScheduleSettings settings, std::size_t targets, ScheduleNanos start);

  Step next(ScheduleNanos now);
  // After a send step, or a timeout step with `retry`: what became of the probe sent at `now`. The
  // next probe of count and loop modes is due one period after this one was due (fping's ev_time).
  void sent(const Step& step, ScheduleNanos now, SendOutcome outcome, ScheduleNanos retry_at = 0);
  // A reply to probe `seq` of `target`, `rtt` after its send. `already_answered`: the Pinger saw
  // an earlier reply to this very send (loop mode tells duplicates apart only so).
  ReplyVerdict reply(std::size_t target, std::uint32_t seq, ScheduleNanos rtt, bool already_answered);

  // The target's timeout now (grown by backoff after each retry, back to -t after a reply).
  ScheduleNanos timeout_of(std::size_t target) const { return targets_[target].timeout; }
  // The longest a probe's reply can still count: the timeout after every retry's backoff.
  ScheduleNanos longest_timeout() const;
  bool idle() const { return pings_.empty() && timeouts_.empty(); }

 private:
  struct TargetState {
    ScheduleNanos timeout = 0;
    std::uint32_t settled = 0;   // fping's num_sent: probes timed out, answered or refused
    std::vector<bool> answered;  // per probe index up to the last answered (default and count modes)
  };
  // (due time, insertion order, target, seq): equal times keep their insertion order, as fping's queue.
  using Event = std::tuple<ScheduleNanos, std::uint64_t, std::size_t, std::uint32_t>;

  void add_ping(std::size_t target, std::uint32_t seq, ScheduleNanos at);
  void add_timeout(std::size_t target, std::uint32_t seq, ScheduleNanos at);
  bool cancel_timeout(std::size_t target, std::uint32_t seq);

  ScheduleSettings settings_;
  std::vector<TargetState> targets_;
  std::set<Event> pings_;
  std::set<Event> timeouts_;
  std::map<std::pair<std::size_t, std::uint32_t>, Event> timeout_of_probe_;
  std::uint64_t order_ = 0;
  ScheduleNanos last_send_ = 0;
  bool sent_any_ = false;
};

// -X: the run stops as soon as this many targets answered.
bool reached_enough(const FpingOptions& options, std::size_t alive_targets);

}  // namespace uping::fping
