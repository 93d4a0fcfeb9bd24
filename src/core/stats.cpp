#include "uping/stats.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace uping {

namespace {

using std::chrono::nanoseconds;

// How far the wall-clock and monotonic measurements of one round trip may disagree before the
// wall clock is assumed to have been stepped (NTP, date -s) while the probe was out.
constexpr nanoseconds kClockStepTolerance = std::chrono::seconds(1);

using Wide = WideCount;

// iputils switches to a coarser variance formula once the sum of RTTs reaches INT_MAX µs.
constexpr Micros kExactVarianceSumLimit = INT_MAX;

// Newton's iteration from above exactly as iputils runs it: it stops at the first step that
// does not decrease and returns that step, so for k*k - 1 it returns k rather than k - 1.
// Matching it keeps the printed mdev identical to iputils'.
Micros iputils_integer_sqrt(Wide value) noexcept {
  if (value == 0) return 0;
  Wide previous = ~Wide{0};
  Wide estimate = value;
  while (estimate < previous) {
    previous = estimate;
    estimate = (estimate + value / estimate) / 2;
  }
  return static_cast<Micros>(estimate);
}

// floor((n * sum_squares - sum^2) / n^2), the truncated population variance, without forming
// n^2 or sum^2 (which could overflow 128 bits on very long runs). With sum = q*n + r:
// n*Q - S^2 = n*(Q - q^2*n - 2*q*r) - r^2, so the variance is floor((D - r^2/n) / n) with
// D = Q - q^2*n - 2*q*r.
Wide truncated_variance(Wide n, Wide sum, Wide sum_squares) noexcept {
  const Wide quotient = sum / n;
  const Wide remainder = sum % n;
  const Wide d = sum_squares - quotient * quotient * n - 2 * quotient * remainder;
  const Wide whole = d / n;
  const Wide rest = d % n;
  // (D - x)/n with x = r^2/n in [0, n): one less than D/n's floor when rest < x.
  if (rest * n >= remainder * remainder) return whole;
  return whole - 1;
}

}  // namespace

Micros round_trip_micros(const Instant& sent, nanoseconds received_wall, nanoseconds received_monotonic) noexcept {
  const nanoseconds by_wall = received_wall - sent.wall;
  const nanoseconds by_monotonic = received_monotonic - sent.monotonic;
  // The kernel stamps a reply (CLOCK_REALTIME) as it arrives, before it waits in the socket
  // queue for uping to be scheduled, so that stamp is preferred. But if the wall clock was stepped while the probe was
  // out, the wall difference is wrong by the step (even negative); the monotonic clock is immune
  // to steps, so it wins whenever the two disagree by more than scheduling noise.
  nanoseconds chosen = by_wall;
  if (by_wall < nanoseconds::zero() || std::chrono::abs(by_wall - by_monotonic) > kClockStepTolerance) {
    chosen = by_monotonic;
  }
  if (chosen < nanoseconds::zero()) chosen = nanoseconds::zero();
  return static_cast<Micros>(std::chrono::duration_cast<std::chrono::microseconds>(chosen).count());
}

void RttMoments::record(Micros time) noexcept {
  if (count_ == 0 || time < min_) min_ = time;
  if (count_ == 0 || time > max_) max_ = time;
  ++count_;
  sum_ += time;
  sum_squares_ += static_cast<Wide>(time) * static_cast<Wide>(time);
}

void RttMoments::merge(const RttMoments& other) noexcept {
  if (other.count_ == 0) return;
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
}

std::optional<RttSummary> RttMoments::summary() const noexcept {
  if (count_ == 0) return std::nullopt;
  const Wide n = count_;
  const auto sum = static_cast<Wide>(sum_);
  const Micros average = static_cast<Micros>(sum / n);
  Wide variance = 0;
  if (sum_ < kExactVarianceSumLimit) {
    variance = truncated_variance(n, sum, sum_squares_);
  } else {
    // iputils' fallback for large sums subtracts the square of the already truncated average,
    // which can only make the variance larger than the exact one; never below zero.
    const Wide average_squared = static_cast<Wide>(average) * static_cast<Wide>(average);
    const Wide mean_square = sum_squares_ / n;
    variance = mean_square > average_squared ? mean_square - average_squared : 0;
  }
  return RttSummary{min_, average, max_, iputils_integer_sqrt(variance)};
}

void Statistics::record_reply(std::optional<Micros> rtt, bool duplicate) noexcept {
  if (duplicate) {
    ++duplicates_;
  } else {
    ++received_;
  }
  if (!rtt) return;
  const Micros time = std::max<Micros>(*rtt, 0);
  rtt_.record(time);
  // iputils keeps eight times the average; 0 means "no average yet" to it, even after replies.
  if (ewma_x8_ == 0) {
    ewma_x8_ = time * 8;
  } else {
    ewma_x8_ += time - ewma_x8_ / 8;
  }
}

void Statistics::observe_in_flight(std::uint64_t in_flight) noexcept { pipe_ = std::max(pipe_, in_flight); }

double Statistics::loss_percent() const noexcept {
  if (transmitted_ == 0) return 0.0;
  // Signed: more replies than probes must give a negative loss, not a huge one.
  const auto lost = static_cast<double>(static_cast<std::int64_t>(transmitted_) - static_cast<std::int64_t>(received_));
  return lost * 100.0 / static_cast<double>(transmitted_);
}

std::optional<Micros> Statistics::ewma() const noexcept {
  if (rtt_.count() == 0) return std::nullopt;
  return ewma_x8_ / 8;
}

ProbeTable::ProbeTable() : entries_(std::make_unique_for_overwrite<Entry[]>(kSequences)) {}

void ProbeTable::on_send(std::uint64_t transmit_number, const Instant& at) noexcept {
  const auto sequence = static_cast<std::uint16_t>(transmit_number);
  entries_[sequence] = Entry{at.wall.count(), at.monotonic.count()};
  sent_.set(sequence);
  answered_.reset(sequence);
  latest_transmit_ = transmit_number;
}

ProbeTable::Lookup ProbeTable::lookup(std::uint16_t sequence) const noexcept {
  if (!sent_.test(sequence)) return Lookup{};
  const Entry& entry = entries_[sequence];
  Lookup result;
  result.match = answered_.test(sequence) ? Match::duplicate : Match::first;
  result.sent.wall = std::chrono::nanoseconds(entry.wall_ns);
  result.sent.monotonic = std::chrono::nanoseconds(entry.monotonic_ns);
  result.transmit_number = latest_transmit_ - static_cast<std::uint16_t>(latest_transmit_ - sequence);
  return result;
}

ProbeTable::Lookup ProbeTable::on_reply(std::uint16_t sequence) noexcept {
  const Lookup result = lookup(sequence);
  if (result.match != Match::unknown) answered_.set(sequence);
  return result;
}

// An error leaves the answered flag as it is: peek and on_error read the same record.
ProbeTable::Lookup ProbeTable::on_error(std::uint16_t sequence) const noexcept { return lookup(sequence); }

ProbeTable::Lookup ProbeTable::peek(std::uint16_t sequence) const noexcept { return lookup(sequence); }

bool ProbeTable::answered(std::uint16_t sequence) const noexcept { return answered_.test(sequence); }

}  // namespace uping
