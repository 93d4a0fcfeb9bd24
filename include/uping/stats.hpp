#pragma once
// Run statistics and the table of outstanding probes. Pure: times come in as arguments.
// Every round-trip time is computed from the local send time recorded here and the kernel's
// receive time, never from the reply's payload (a peer can forge it).

#include <bitset>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace uping {

using Micros = std::int64_t;

// A user's figure in seconds (or any unit, times the factor) to whole microseconds, rounded to
// nearest: the chrono rounding, so that no libm call (llround) ties the binary to libm.
inline std::chrono::microseconds to_micros(double value, double micros_per_unit = 1e6) {
  return std::chrono::round<std::chrono::microseconds>(
      std::chrono::duration<double, std::micro>(value * micros_per_unit));
}

// 128-bit unsigned (a GCC / Clang extension; __extension__ keeps -Wpedantic quiet) for sums of
// squared microseconds, exact for any run length.
__extension__ typedef unsigned __int128 WideCount;

// A point in time taken from both clocks: the wall clock matches the kernel's receive
// timestamps (SO_TIMESTAMPNS is CLOCK_REALTIME), the monotonic clock guards against steps of it.
struct Instant {
  std::chrono::nanoseconds wall{0};
  std::chrono::nanoseconds monotonic{0};
};

// Round-trip time in whole microseconds (truncated, as iputils). The kernel timestamp is used
// unless a wall-clock step makes it disagree with the monotonic clock, which always wins then.
Micros round_trip_micros(const Instant& sent, std::chrono::nanoseconds received_wall,
                         std::chrono::nanoseconds received_monotonic) noexcept;

struct RttSummary {
  Micros min = 0;
  Micros avg = 0;
  Micros max = 0;
  Micros mdev = 0;
};

// The running min, max, sum and sum of squares of round-trip times, and iputils' arithmetic on
// them: the one place min/avg/max/mdev are computed (Statistics, RttStatistics).
class RttMoments {
 public:
  void record(Micros time) noexcept;  // time >= 0
  // Pools another set of times, as if each had been recorded here.
  void merge(const RttMoments& other) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  Micros min() const noexcept { return min_; }  // 0 before a time is recorded
  Micros max() const noexcept { return max_; }
  // min / avg / max / mdev in microseconds, with iputils' arithmetic: avg truncated; the
  // variance truncated, then iputils' integer Newton square root, which is the floor of the root
  // except just below a perfect square (variance k*k - 1 gives k, e.g. 3 -> 2). Empty before a
  // time is recorded.
  std::optional<RttSummary> summary() const noexcept;

 private:
  std::uint64_t count_ = 0;
  Micros min_ = 0;
  Micros max_ = 0;
  Micros sum_ = 0;
  WideCount sum_squares_ = 0;  // µs²
};

class Statistics {
 public:
  void record_transmit() noexcept { ++transmitted_; }
  // A reply that was answered before counts as a duplicate; its time still enters min/avg/max.
  void record_reply(std::optional<Micros> rtt, bool duplicate) noexcept;
  void record_corrupted() noexcept { ++corrupted_; }
  void record_error() noexcept { ++errors_; }
  // Probes in flight when an answer arrived; the largest value seen is iputils' "pipe".
  void observe_in_flight(std::uint64_t in_flight) noexcept;

  std::uint64_t transmitted() const noexcept { return transmitted_; }
  std::uint64_t received() const noexcept { return received_; }
  std::uint64_t duplicates() const noexcept { return duplicates_; }
  std::uint64_t corrupted() const noexcept { return corrupted_; }
  std::uint64_t errors() const noexcept { return errors_; }
  std::uint64_t pipe() const noexcept { return pipe_; }

  // (transmitted - received) * 100 / transmitted; 0 before anything was sent.
  double loss_percent() const noexcept;
  // min / avg / max / mdev in microseconds over every timed reply (duplicates included), with
  // iputils' arithmetic (RttMoments::summary). Empty before a timed reply.
  std::optional<RttSummary> rtt_summary() const noexcept { return rtt_.summary(); }
  // Exponentially weighted moving average (weight 1/8), in microseconds; empty before a timed
  // reply. As iputils, a fixed-point value of 0 restarts it at the next reply's time.
  std::optional<Micros> ewma() const noexcept;

 private:
  std::uint64_t transmitted_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t corrupted_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t pipe_ = 0;
  RttMoments rtt_;
  Micros ewma_x8_ = 0;  // fixed point, as iputils keeps it
};

// Send times and answered flags for the 65,536 sequence numbers, reused as the sequence wraps.
// Memory is allocated once; pages for sequences never sent are never touched.
class ProbeTable {
 public:
  ProbeTable();

  // The probe numbered `transmit_number` (1-based, in sending order) left at `at`; it carries
  // the sequence number transmit_number mod 65,536.
  void on_send(std::uint64_t transmit_number, const Instant& at) noexcept;

  enum class Match : std::uint8_t { first, duplicate, unknown };
  struct Lookup {
    Match match = Match::unknown;
    Instant sent;
    std::uint64_t transmit_number = 0;  // 1-based count of the probe that carried this sequence
  };
  // Marks the sequence as answered. `unknown` for a sequence never sent (forged or foreign).
  Lookup on_reply(std::uint16_t sequence) noexcept;
  // An ICMP error settles the probe without answering it (as iputils: it leaves the received
  // bit clear, so a later reply to the same sequence is counted as received, not as a DUP, and
  // -O still reports it as unanswered). `duplicate` when the sequence was already answered.
  Lookup on_error(std::uint16_t sequence) const noexcept;
  // The probe's record without settling it (a reply with a bad checksum): `first` or
  // `duplicate` as on_reply would say, `unknown` for a sequence never sent.
  Lookup peek(std::uint16_t sequence) const noexcept;
  bool answered(std::uint16_t sequence) const noexcept;

 private:
  static constexpr std::size_t kSequences = 65536;
  // Trivial on purpose: the array is allocated uninitialised, so the pages of sequences never
  // sent are never written. `sent_` says which entries hold a value. 16 bytes: a flood touches
  // every page of the table once, and each first touch is a page fault.
  struct Entry {
    std::int64_t wall_ns;
    std::int64_t monotonic_ns;
  };
  Lookup lookup(std::uint16_t sequence) const noexcept;  // the record as it stands, `unknown` if never sent
  std::unique_ptr<Entry[]> entries_;
  // Probes are numbered in sending order and each overwrites its sequence's entry, so the probe
  // an entry belongs to is the latest one with that sequence: no need to store its number.
  std::uint64_t latest_transmit_ = 0;
  std::bitset<kSequences> sent_;
  std::bitset<kSequences> answered_;
};

}  // namespace uping
