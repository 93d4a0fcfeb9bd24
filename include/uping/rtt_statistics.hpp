#pragma once
// Round-trip statistics in memory that does not grow with the number of probes: iputils'
// min/avg/max/mdev exactly, percentiles from a fixed-size log-scale histogram, and jitter.
// Pure: RTTs come in as whole microseconds (Micros), as everywhere in uping.
//
// Thread safety: an object is not synchronised; use each from one thread at a time (or guard it).
// Distinct objects may be used on distinct threads, also when they share a bucket layout (which is
// immutable).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "uping/stats.hpp"

namespace uping {

// How finely a histogram divides round-trip times.
struct RttResolution {
  // Every answer for a value in [lowest, highest] is within this fraction of it (0.02: 2 %).
  double relative_error = 0.02;
  // Values below `lowest` are counted in an underflow counter, values above `highest` in an
  // overflow counter; a percentile that falls among them is answered with the range's edge.
  Micros lowest = 0;
  Micros highest = 60'000'000;  // 60 s

  friend bool operator==(const RttResolution&, const RttResolution&) = default;
};

// A histogram of whole microseconds whose buckets grow geometrically: bucket [L, H] holds the
// integers L..H with H the largest for which (H - L) / (H + L) <= relative_error, and is
// represented by 2LH / (L + H), which is within that fraction of every integer in it. Small
// values get one bucket each (with the default resolution every microsecond up to 24 µs), so
// they are exact.
//
// Counter counts (RttResolution{e, 0, 60 s}): 2 % (the default) 382, 5 % 162, 10 % 85.
//
// Memory: the counters are allocated once, at construction; recording, merging and clearing
// never allocate. Copies share the bucket layout and copy the counters. A moved-from histogram
// may only be assigned to or destroyed.
class RttHistogram {
 public:
  // The default resolution; every such histogram shares one layout.
  RttHistogram();
  // Throws std::invalid_argument unless 0 < relative_error < 1, 0 <= lowest < highest, and the
  // layout needs at most kMaxCounters counters.
  explicit RttHistogram(const RttResolution& resolution);
  RttHistogram(const RttHistogram& other);
  RttHistogram& operator=(const RttHistogram& other);
  RttHistogram(RttHistogram&&) noexcept = default;
  RttHistogram& operator=(RttHistogram&&) noexcept = default;
  ~RttHistogram();

  static constexpr std::size_t kMaxCounters = 1 << 16;

  void record(Micros value) noexcept;
  // Adds the other histogram's counts. Throws std::invalid_argument when the resolutions differ.
  void merge(const RttHistogram& other);
  void clear() noexcept;

  // The sample of nearest rank: with n samples, rank max(1, ceil(p / 100 * n)) in ascending
  // order (p = 0 is the smallest sample, p = 100 the largest). Answered with the representative
  // of the bucket that holds that sample, so within relative_error of it for a sample in
  // [lowest, highest]; `lowest` when it is an underflow, `highest` when an overflow. Empty with no
  // sample. p outside [0, 100] is taken as the nearer end. The rank is exact for whole p and
  // fewer than 2^40 samples.
  std::optional<double> percentile(double p) const noexcept;
  // That rank, from 1 to `count` (count > 0).
  static std::uint64_t nearest_rank(double p, std::uint64_t count) noexcept;

  std::uint64_t count() const noexcept { return underflow_ + in_range_ + overflow_; }
  std::uint64_t underflow() const noexcept { return underflow_; }
  std::uint64_t overflow() const noexcept { return overflow_; }
  const RttResolution& resolution() const noexcept;
  std::size_t counters() const noexcept;
  // The bucket of a value in [lowest, highest]: its first and last integer and its representative.
  struct Bucket {
    Micros first = 0;
    Micros last = 0;
    double representative = 0;
  };
  Bucket bucket_of(Micros value) const noexcept;
  // Heap bytes this histogram owns (its counters; the shared layout not included).
  std::size_t heap_bytes() const noexcept { return counters() * sizeof(std::uint64_t); }

 private:
  class Layout;  // the buckets' bounds: immutable, shared by copies
  static std::shared_ptr<const Layout> default_layout();
  explicit RttHistogram(std::shared_ptr<const Layout> layout);
  std::shared_ptr<const Layout> layout_;
  std::unique_ptr<std::uint64_t[]> counts_;
  std::uint64_t underflow_ = 0;
  std::uint64_t in_range_ = 0;
  std::uint64_t overflow_ = 0;
  // The counters in use lie in [first_used_, last_used_] (when in_range_ > 0): clearing, merging
  // and percentiles cost what a target used, not the whole layout.
  std::size_t first_used_ = 0;
  std::size_t last_used_ = 0;
};

// Jitter of a stream of round-trip times, in microseconds. D is the difference between a reply's
// RTT and the previous reply's (in the order they are recorded); the first reply gives no D.
//   smoothed: RFC 3550's interarrival jitter, J += (|D| - J) / 16, from J = 0 (in floating point);
//   mean_abs_difference: the mean of |D|.
// Both are empty before the second reply.
class RttJitter {
 public:
  void record(Micros rtt) noexcept;
  // Pools another stream: the mean absolute difference over both streams' differences, and the
  // smoothed jitter as the mean of both, weighted by their numbers of differences. The stream
  // recorded next continues this object's own (its previous RTT is kept).
  void merge(const RttJitter& other) noexcept;
  void clear() noexcept { *this = RttJitter{}; }

  std::uint64_t differences() const noexcept { return differences_; }
  std::optional<double> smoothed() const noexcept;
  std::optional<double> mean_abs_difference() const noexcept;

 private:
  std::optional<Micros> previous_;
  std::uint64_t differences_ = 0;
  WideCount sum_abs_differences_ = 0;
  double smoothed_ = 0;
};

// Everything a face reports about round-trip times, in constant memory:
//   summary(): iputils' min/avg/max/mdev, the same arithmetic as Statistics::rtt_summary()
//     (RttMoments), over every timed reply, duplicates included, as iputils counts them;
//   percentile(p): from the histogram over the same replies (duplicates included), clamped to
//     [min, max] — which only brings the answer nearer the exact one, and makes underflows and
//     overflows answer no further out than the samples went; the first rank is min and the last
//     max, exactly;
//   jitter(): over the replies that are not duplicates (a duplicate is the same probe's time
//     again, not a new interarrival).
// Negative times are taken as 0, as Statistics does.
class RttStatistics {
 public:
  RttStatistics() = default;
  explicit RttStatistics(const RttResolution& resolution) : histogram_(resolution) {}

  void record(Micros rtt, bool duplicate = false) noexcept;
  // Pools another object's replies (a run over many targets). Throws std::invalid_argument when
  // the resolutions differ.
  void merge(const RttStatistics& other);
  void clear() noexcept;

  std::uint64_t count() const noexcept { return moments_.count(); }
  std::optional<RttSummary> summary() const noexcept { return moments_.summary(); }
  // In microseconds; see RttHistogram::percentile for the rank rule and the bound.
  std::optional<double> percentile(double p) const noexcept;
  const RttJitter& jitter() const noexcept { return jitter_; }
  const RttHistogram& histogram() const noexcept { return histogram_; }

 private:
  RttMoments moments_;
  RttHistogram histogram_;
  RttJitter jitter_;
};

}  // namespace uping
