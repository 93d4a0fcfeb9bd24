#include "uping/rtt_statistics.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace uping {

// Bucket i holds the integers first_[i] .. first_[i + 1] - 1 (the last one up to `highest`).
// Built with multiplications only: no libm call ties the binary to libm.
class RttHistogram::Layout {
 public:
  explicit Layout(const RttResolution& resolution) : resolution_(resolution) {
    const double error = resolution.relative_error;
    if (!(error > 0 && error < 1)) throw std::invalid_argument("RTT histogram: relative error must be in (0, 1)");
    if (resolution.lowest < 0 || resolution.highest <= resolution.lowest) {
      throw std::invalid_argument("RTT histogram: the range must satisfy 0 <= lowest < highest");
    }
    // (H - L) / (H + L) <= e  <=>  H <= L * (1 + e) / (1 - e).
    const double growth = (1 + error) / (1 - error);
    const auto highest = static_cast<double>(resolution.highest);
    Micros first = resolution.lowest;
    while (true) {
      if (first_.size() == kMaxCounters) {
        throw std::invalid_argument("RTT histogram: the resolution needs more than 65,536 counters");
      }
      first_.push_back(first);
      const double reach = static_cast<double>(first) * growth;
      Micros last = reach >= highest ? resolution.highest : std::max(first, static_cast<Micros>(reach));
      // Neither the product's rounding nor the representative's may take a bucket past the bound:
      // a bucket exactly at it is narrowed too.
      while (last > first &&
             static_cast<double>(last - first) * (1 + 1e-9) > error * static_cast<double>(last + first)) {
        --last;
      }
      if (last >= resolution.highest) break;
      first = last + 1;
    }
  }

  const RttResolution& resolution() const noexcept { return resolution_; }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(first_.size()); }
  // `value` in [lowest, highest].
  std::uint32_t index_of(Micros value) const noexcept {
    return static_cast<std::uint32_t>(std::upper_bound(first_.begin(), first_.end(), value) - first_.begin() - 1);
  }
  Micros first_of(std::size_t index) const noexcept { return first_[index]; }
  Micros last_of(std::size_t index) const noexcept {
    return index + 1 < first_.size() ? first_[index + 1] - 1 : resolution_.highest;
  }
  // 2LH / (L + H): its relative distance to L and to H is the same, (H - L) / (H + L).
  double representative(std::size_t index) const noexcept {
    const auto first = static_cast<double>(first_of(index));
    const auto last = static_cast<double>(last_of(index));
    return first + last == 0 ? 0.0 : 2 * first * last / (first + last);
  }

 private:
  RttResolution resolution_;
  std::vector<Micros> first_;
};

std::shared_ptr<const RttHistogram::Layout> RttHistogram::default_layout() {
  static const auto layout = std::make_shared<const Layout>(RttResolution{});
  return layout;
}

RttHistogram::RttHistogram() : RttHistogram(default_layout(), RttStorage::on_demand) {}

RttHistogram::RttHistogram(const RttResolution& resolution, RttStorage storage)
    : RttHistogram(resolution == RttResolution{} ? default_layout() : std::make_shared<const Layout>(resolution),
                   storage) {}

RttHistogram::RttHistogram(std::shared_ptr<const Layout> layout, RttStorage storage) : layout_(std::move(layout)) {
  if (storage == RttStorage::preallocated) cover(0, layout_->size() - 1);
}

RttHistogram::RttHistogram(const RttHistogram& other)
    : layout_(other.layout_),
      counts_(std::make_unique<std::uint64_t[]>(other.window_size_)),
      window_first_(other.window_first_),
      window_size_(other.window_size_),
      underflow_(other.underflow_),
      in_range_(other.in_range_),
      overflow_(other.overflow_),
      first_used_(other.first_used_),
      last_used_(other.last_used_) {
  if (in_range_ > 0) {
    for (std::uint32_t index = first_used_; index <= last_used_; ++index) counter(index) = other.counter(index);
  }
}

RttHistogram& RttHistogram::operator=(const RttHistogram& other) {
  if (this != &other) *this = RttHistogram(other);
  return *this;
}

RttHistogram::~RttHistogram() = default;

const RttResolution& RttHistogram::resolution() const noexcept { return layout_->resolution(); }

std::size_t RttHistogram::counters() const noexcept { return layout_->size(); }

RttHistogram::Bucket RttHistogram::bucket_of(Micros value) const noexcept {
  const RttResolution& range = layout_->resolution();
  const std::size_t index = layout_->index_of(std::clamp(value, range.lowest, range.highest));
  return Bucket{layout_->first_of(index), layout_->last_of(index), layout_->representative(index)};
}

void RttHistogram::cover(std::uint32_t first, std::uint32_t last) {
  if (in_range_ > 0) {
    first = std::min(first, first_used_);
    last = std::max(last, last_used_);
  }
  if (window_size_ > 0 && first >= window_first_ && last < window_first_ + window_size_) return;
  // Twice what is needed (at least 4), centred on it: a drifting RTT widens the window a few
  // times, not at every new bucket.
  const std::uint32_t total = layout_->size();
  const std::uint32_t needed = last - first + 1;
  // An empty histogram (cleared for the next target) moves the window it has, zeroed, if it is wide enough.
  const bool move_in_place = in_range_ == 0 && window_size_ >= needed;
  const std::uint32_t size = move_in_place ? window_size_ : std::min(total, std::max<std::uint32_t>(4, 2 * needed));
  const std::uint32_t slack_before = (size - needed) / 2;
  const std::uint32_t window_first = std::min(first > slack_before ? first - slack_before : 0, total - size);
  if (move_in_place) {
    window_first_ = window_first;
    return;
  }
  auto counts = std::make_unique<std::uint64_t[]>(size);  // zeroed; the only step that can throw
  if (in_range_ > 0) {
    for (std::uint32_t index = first_used_; index <= last_used_; ++index) {
      counts[index - window_first] = counter(index);
    }
  }
  counts_ = std::move(counts);
  window_first_ = window_first;
  window_size_ = size;
}

void RttHistogram::record(Micros value) {
  const RttResolution& range = layout_->resolution();
  if (value < range.lowest) {
    ++underflow_;
    return;
  }
  if (value > range.highest) {
    ++overflow_;
    return;
  }
  const std::uint32_t index = layout_->index_of(value);
  if (index < window_first_ || index >= window_first_ + window_size_) cover(index, index);
  if (in_range_ == 0) {
    first_used_ = last_used_ = index;
  } else {
    first_used_ = std::min(first_used_, index);
    last_used_ = std::max(last_used_, index);
  }
  ++counter(index);
  ++in_range_;
}

void RttHistogram::merge(const RttHistogram& other) {
  if (layout_ != other.layout_ && !(layout_->resolution() == other.layout_->resolution())) {
    throw std::invalid_argument("RTT histogram: merging histograms of different resolutions");
  }
  if (other.in_range_ > 0) cover(other.first_used_, other.last_used_);  // first: it may throw
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
  if (other.in_range_ == 0) return;
  for (std::uint32_t index = other.first_used_; index <= other.last_used_; ++index) {
    counter(index) += other.counter(index);
  }
  first_used_ = in_range_ == 0 ? other.first_used_ : std::min(first_used_, other.first_used_);
  last_used_ = in_range_ == 0 ? other.last_used_ : std::max(last_used_, other.last_used_);
  in_range_ += other.in_range_;
}

void RttHistogram::clear() noexcept {
  if (in_range_ > 0) {
    for (std::uint32_t index = first_used_; index <= last_used_; ++index) counter(index) = 0;
  }
  underflow_ = in_range_ = overflow_ = 0;
  first_used_ = last_used_ = 0;
}

std::uint64_t RttHistogram::nearest_rank(double p, std::uint64_t count) noexcept {
  if (!(p > 0)) p = 0;  // NaN too
  if (p > 100) p = 100;
  // ceil(p * n / 100) without libm: p * n is exact for whole p and n < 2^40, and so is its
  // quotient when that is whole.
  const double exact_rank = p * static_cast<double>(count) / 100;
  auto rank = static_cast<std::uint64_t>(exact_rank);
  if (static_cast<double>(rank) < exact_rank) ++rank;
  return std::clamp<std::uint64_t>(rank, 1, count);
}

std::optional<double> RttHistogram::percentile(double p) const noexcept {
  const std::uint64_t total = count();
  if (total == 0) return std::nullopt;
  std::uint64_t rank = nearest_rank(p, total);
  const RttResolution& range = layout_->resolution();
  if (rank <= underflow_) return static_cast<double>(range.lowest);
  rank -= underflow_;
  if (rank > in_range_) return static_cast<double>(range.highest);
  std::uint64_t seen = 0;
  for (std::uint32_t index = first_used_; index <= last_used_; ++index) {
    seen += counter(index);
    if (seen >= rank) return layout_->representative(index);
  }
  return layout_->representative(last_used_);  // not reached: the counters sum to in_range_
}

void RttJitter::record(Micros rtt) noexcept {
  if (started_) {
    const Micros difference = rtt > previous_ ? rtt - previous_ : previous_ - rtt;
    ++differences_;
    sum_abs_differences_ += static_cast<std::uint64_t>(difference);
    smoothed_ += (static_cast<double>(difference) - smoothed_) / 16;
  }
  previous_ = rtt;
  started_ = true;
}

void RttJitter::merge(const RttJitter& other) noexcept {
  if (other.differences_ == 0) return;
  const auto mine = static_cast<double>(differences_);
  const auto theirs = static_cast<double>(other.differences_);
  smoothed_ = (smoothed_ * mine + other.smoothed_ * theirs) / (mine + theirs);
  differences_ += other.differences_;
  sum_abs_differences_ += other.sum_abs_differences_;
}

std::optional<double> RttJitter::smoothed() const noexcept {
  if (differences_ == 0) return std::nullopt;
  return smoothed_;
}

std::optional<double> RttJitter::mean_abs_difference() const noexcept {
  if (differences_ == 0) return std::nullopt;
  return static_cast<double>(sum_abs_differences_) / static_cast<double>(differences_);
}

void RttStatistics::record(Micros rtt, bool duplicate) {
  const Micros time = std::max<Micros>(rtt, 0);
  histogram_.record(time);  // first: the only step that can throw
  moments_.record(time);
  if (!duplicate) jitter_.record(time);
}

void RttStatistics::merge(const RttStatistics& other) {
  histogram_.merge(other.histogram_);  // first: the only step that can throw
  moments_.merge(other.moments_);
  jitter_.merge(other.jitter_);
}

void RttStatistics::clear() noexcept {
  moments_ = RttMoments{};
  histogram_.clear();
  jitter_.clear();
}

std::optional<double> RttStatistics::percentile(double p) const noexcept {
  const auto answer = histogram_.percentile(p);
  if (!answer) return answer;
  // The smallest and the largest sample are known exactly.
  const std::uint64_t rank = RttHistogram::nearest_rank(p, moments_.count());
  if (rank == 1) return static_cast<double>(moments_.min());
  if (rank == moments_.count()) return static_cast<double>(moments_.max());
  return std::clamp(*answer, static_cast<double>(moments_.min()), static_cast<double>(moments_.max()));
}

}  // namespace uping
