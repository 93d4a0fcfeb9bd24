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

// How a histogram holds its counters.
enum class RttStorage : std::uint8_t {
  // Only a window of counters around the buckets used so far, widened (doubled) as the samples
  // spread, never past the layout: a few hundred bytes for a target whose RTTs stay within a
  // factor of two, where a sweep or a monitor keeps thousands of histograms. Recording and
  // merging may allocate until the samples stop spreading, and then throw std::bad_alloc.
  on_demand,
  // Every counter at construction: recording, merging and clearing never allocate.
  preallocated,
};

// A histogram of whole microseconds whose buckets grow geometrically: bucket [L, H] holds the
// integers L..H with H the largest for which (H - L) / (H + L) <= relative_error, and is
// represented by 2LH / (L + H), which is within that fraction of every integer in it. Small
// values get one bucket each (with the default resolution every microsecond up to 24 µs), so
// they are exact.
//
// Counter counts (RttResolution{e, 0, 60 s}): 2 % (the default) 382, 5 % 162, 10 % 85.
//
// Memory: at most counters() 64-bit counters (RttStorage), whatever the number of samples; the
// bucket layout is shared by every histogram of the default resolution and by copies. Clearing
// keeps the counters' memory. A moved-from histogram may only be assigned to or destroyed.
class RttHistogram {
 public:
  // The default resolution, on demand; every such histogram shares one layout.
  RttHistogram();
  // Throws std::invalid_argument unless 0 < relative_error < 1, 0 <= lowest < highest, and the
  // layout needs at most kMaxCounters counters.
  explicit RttHistogram(const RttResolution& resolution, RttStorage storage = RttStorage::on_demand);
  RttHistogram(const RttHistogram& other);
  RttHistogram& operator=(const RttHistogram& other);
  RttHistogram(RttHistogram&&) noexcept = default;
  RttHistogram& operator=(RttHistogram&&) noexcept = default;
  ~RttHistogram();

  static constexpr std::size_t kMaxCounters = 1 << 16;

  // Throws only std::bad_alloc, only on demand (RttStorage); nothing is recorded then.
  void record(Micros value);
  // Adds the other histogram's counts. Throws std::invalid_argument when the resolutions differ
  // (nothing is added then), or std::bad_alloc as record().
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
  std::size_t heap_bytes() const noexcept { return std::size_t{window_size_} * sizeof(std::uint64_t); }

 private:
  class Layout;  // the buckets' bounds: immutable, shared by copies
  static std::shared_ptr<const Layout> default_layout();
  RttHistogram(std::shared_ptr<const Layout> layout, RttStorage storage);
  // Widens the window of counters to hold buckets [first, last] and those in use.
  void cover(std::uint32_t first, std::uint32_t last);
  std::uint64_t& counter(std::uint32_t index) noexcept { return counts_[index - window_first_]; }
  std::uint64_t counter(std::uint32_t index) const noexcept { return counts_[index - window_first_]; }

  std::shared_ptr<const Layout> layout_;
  std::unique_ptr<std::uint64_t[]> counts_;  // buckets window_first_ .. window_first_ + window_size_ - 1
  // Indices below kMaxCounters: 32 bits keep a sweep's thousands of histograms small.
  std::uint32_t window_first_ = 0;
  std::uint32_t window_size_ = 0;
  std::uint64_t underflow_ = 0;
  std::uint64_t in_range_ = 0;
  std::uint64_t overflow_ = 0;
  // The counters in use lie in [first_used_, last_used_] (when in_range_ > 0): clearing, merging
  // and percentiles cost what a target used, not the whole layout.
  std::uint32_t first_used_ = 0;
  std::uint32_t last_used_ = 0;
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
  Micros previous_ = 0;
  bool started_ = false;  // previous_ holds a reply's RTT
  std::uint64_t differences_ = 0;
  std::uint64_t sum_abs_differences_ = 0;  // µs: 60 s differences overflow it after 3e11 of them
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
  explicit RttStatistics(const RttResolution& resolution, RttStorage storage = RttStorage::on_demand)
      : histogram_(resolution, storage) {}

  // Throws std::bad_alloc as RttHistogram::record; nothing is recorded then.
  void record(Micros rtt, bool duplicate = false);
  // Pools another object's replies (a run over many targets). Throws std::invalid_argument when
  // the resolutions differ, std::bad_alloc as RttHistogram::merge; nothing is pooled then.
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
