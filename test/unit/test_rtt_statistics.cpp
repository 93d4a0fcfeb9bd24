#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "uping/rtt_statistics.hpp"

#if defined(__SANITIZE_ADDRESS__)
// ASan's count of the bytes malloc has handed out and not taken back (GCC ships no header for it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

using uping::Micros;
using uping::RttHistogram;
using uping::RttJitter;
using uping::RttResolution;
using uping::RttStatistics;
using uping::Statistics;

namespace {

constexpr double kPercentiles[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};

// The nearest-rank percentile of sorted samples: the ceil(p / 100 * n)-th smallest (at least the first).
Micros exact_percentile(const std::vector<Micros>& samples, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(samples.size())));
  return samples[std::max<std::size_t>(rank, 1) - 1];
}

double relative_error(double answer, Micros exact) {
  if (exact == 0) return answer == 0 ? 0 : 1;
  return std::abs(answer - static_cast<double>(exact)) / static_cast<double>(exact);
}

// The worst relative error of every percentile of kPercentiles over the samples.
double worst_error(const std::vector<Micros>& samples, const RttResolution& resolution = {}) {
  RttStatistics stats(resolution);
  RttStatistics preallocated(resolution, uping::RttStorage::preallocated);
  for (Micros sample : samples) stats.record(sample), preallocated.record(sample);
  std::vector<Micros> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  double worst = 0;
  for (double p : kPercentiles) {
    const auto answer = stats.percentile(p);
    REQUIRE(answer);
    REQUIRE(answer == preallocated.percentile(p));  // how counters are held changes no answer
    worst = std::max(worst, relative_error(*answer, exact_percentile(sorted, p)));
  }
  return worst;
}

std::vector<Micros> uniform(std::size_t n, Micros low, Micros high, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<Micros> pick(low, high);
  std::vector<Micros> samples(n);
  for (Micros& sample : samples) sample = pick(random);
  return samples;
}

// Spread evenly in log scale from 10 µs to 60 s: every bucket of the range gets its share.
std::vector<Micros> log_uniform(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> exponent(std::log(10.0), std::log(60e6));
  std::vector<Micros> samples(n);
  for (Micros& sample : samples) sample = static_cast<Micros>(std::exp(exponent(random)));
  return samples;
}

// Heap bytes in use by the whole process: ASan's count under the sanitizers, glibc's otherwise.
std::size_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

}  // namespace

TEST_CASE("rtt histogram: counters for 2 % and 10 %", "[rtt_statistics]") {
  CHECK(RttHistogram().counters() == 382);
  CHECK(RttHistogram(RttResolution{0.05}).counters() == 162);
  CHECK(RttHistogram(RttResolution{0.10}).counters() == 85);
  CHECK(RttHistogram(RttResolution{0.02, 10, 60'000'000}).counters() == 372);
}

TEST_CASE("rtt histogram: the buckets tile the range, each within the bound", "[rtt_statistics]") {
  for (const RttResolution resolution : {RttResolution{}, RttResolution{0.10}, RttResolution{0.005, 10, 1'000'000}}) {
    const RttHistogram histogram(resolution);
    std::size_t buckets = 0;
    Micros next = resolution.lowest;
    while (next <= resolution.highest) {
      const auto bucket = histogram.bucket_of(next);
      REQUIRE(bucket.first == next);
      REQUIRE(bucket.last >= bucket.first);
      // The representative is within the bound of both ends, hence of every integer between.
      REQUIRE(relative_error(bucket.representative, bucket.first) <= resolution.relative_error);
      REQUIRE(relative_error(bucket.representative, bucket.last) <= resolution.relative_error);
      REQUIRE(histogram.bucket_of(bucket.last).first == bucket.first);
      next = bucket.last + 1;
      ++buckets;
    }
    CHECK(next == resolution.highest + 1);
    CHECK(buckets == histogram.counters());
  }
  // With the default resolution 0 to 24 µs are buckets of their own: exact.
  for (Micros value = 0; value <= 24; ++value)
    CHECK(RttHistogram().bucket_of(value).representative == static_cast<double>(value));
}

TEST_CASE("rtt histogram: percentiles within 2 % of the exact nearest-rank ones", "[rtt_statistics]") {
  SECTION("uniform") {
    CHECK(worst_error(uniform(100'000, 10, 100'000, 1)) <= 0.02);
    CHECK(worst_error(uniform(1'000, 20, 80, 2)) <= 0.02);
    CHECK(worst_error(uniform(10'000, 1'000'000, 60'000'000, 3)) <= 0.02);
  }
  SECTION("log-uniform from 10 µs to 60 s") {
    CHECK(worst_error(log_uniform(200'000, 4)) <= 0.02);
    CHECK(worst_error(log_uniform(7, 5)) <= 0.02);
  }
  SECTION("at 10 %") {
    CHECK(worst_error(log_uniform(100'000, 6), RttResolution{0.10}) <= 0.10);
    CHECK(worst_error(uniform(10'000, 10, 5'000, 7), RttResolution{0.10}) <= 0.10);
  }
  SECTION("fixed sets, exact where buckets hold one value") {
    RttStatistics stats;
    for (Micros rtt : {10, 20, 30, 40}) stats.record(rtt);
    CHECK(stats.percentile(0) == 10);
    CHECK(stats.percentile(25) == 10);  // rank 1
    CHECK(stats.percentile(26) == 20);  // rank ceil(1.04) = 2
    CHECK(stats.percentile(50) == 20);
    CHECK(*stats.percentile(75) == Approx(30).epsilon(0.02));
    CHECK(stats.percentile(100) == 40);  // clamped to the maximum
    CHECK(worst_error({34, 44, 40}) <= 0.02);
    CHECK(worst_error({1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597}) <= 0.02);
    CHECK(worst_error({52, 52, 52, 9'000'000, 52}) <= 0.02);
  }
  SECTION("one sample, all equal, zero") {
    RttStatistics one;
    one.record(1234);
    for (double p : kPercentiles) CHECK(one.percentile(p) == 1234);  // clamped to min = max
    RttStatistics equal;
    for (int i = 0; i < 1000; ++i) equal.record(537);
    for (double p : kPercentiles) CHECK(equal.percentile(p) == 537);
    RttStatistics zero;
    zero.record(0);
    zero.record(-5);  // a negative time is taken as 0, as Statistics does
    CHECK(zero.percentile(50) == 0);
    CHECK(zero.histogram().underflow() == 0);
  }
  SECTION("empty, and p outside [0, 100]") {
    RttStatistics stats;
    CHECK_FALSE(stats.percentile(50));
    stats.record(100);
    stats.record(200);
    CHECK(stats.percentile(-1) == 100);
    CHECK(stats.percentile(250) == 200);
    CHECK(stats.percentile(std::nan("")) == 100);
  }
}

TEST_CASE("rtt histogram: values out of range are counted, answers clamp to the edge", "[rtt_statistics]") {
  const RttResolution narrow{0.02, 10, 1000};
  RttHistogram histogram(narrow);
  for (Micros rtt : {5, 5, 500, 2000}) histogram.record(rtt);
  CHECK(histogram.count() == 4);
  CHECK(histogram.underflow() == 2);
  CHECK(histogram.overflow() == 1);
  CHECK(histogram.percentile(0) == 10);
  CHECK(histogram.percentile(50) == 10);
  CHECK(*histogram.percentile(75) == Approx(500).epsilon(0.02));
  CHECK(histogram.percentile(100) == 1000);

  // RttStatistics clamps to what the samples reached: no answer beyond the minimum or maximum.
  RttStatistics below(narrow);
  for (Micros rtt : {3, 4, 5}) below.record(rtt);
  CHECK(below.percentile(50) == 5);
  RttStatistics above(narrow);
  for (Micros rtt : {1500, 1500}) above.record(rtt);
  CHECK(above.percentile(50) == 1500);
}

TEST_CASE("rtt histogram: bad resolutions are refused", "[rtt_statistics]") {
  CHECK_THROWS_AS(RttHistogram(RttResolution{0}), std::invalid_argument);
  CHECK_THROWS_AS(RttHistogram(RttResolution{1}), std::invalid_argument);
  CHECK_THROWS_AS(RttHistogram(RttResolution{std::nan("")}), std::invalid_argument);
  CHECK_THROWS_AS(RttHistogram(RttResolution{0.02, -1, 100}), std::invalid_argument);
  CHECK_THROWS_AS(RttHistogram(RttResolution{0.02, 100, 100}), std::invalid_argument);
  CHECK_THROWS_AS(RttHistogram(RttResolution{1e-9}), std::invalid_argument);  // too many counters
}

TEST_CASE("rtt histogram: merged equals recorded together; resolutions must agree", "[rtt_statistics]") {
  const auto first = uniform(5'000, 10, 3'000, 8);
  const auto second = log_uniform(5'000, 9);
  RttStatistics a, b, together;
  for (Micros rtt : first) a.record(rtt), together.record(rtt);
  for (Micros rtt : second) b.record(rtt), together.record(rtt);
  a.merge(b);
  CHECK(a.count() == together.count());
  for (double p : kPercentiles) CHECK(a.percentile(p) == together.percentile(p));
  CHECK(a.summary()->mdev == together.summary()->mdev);
  CHECK(a.summary()->min == together.summary()->min);
  CHECK(a.summary()->max == together.summary()->max);

  RttStatistics coarse(RttResolution{0.10});
  CHECK_THROWS_AS(a.merge(coarse), std::invalid_argument);
  CHECK(a.count() == together.count());  // unchanged by the refused merge
  RttStatistics same_but_separate(RttResolution{0.10});
  same_but_separate.record(100);
  coarse.merge(same_but_separate);
  CHECK(coarse.count() == 1);
}

TEST_CASE("rtt histogram: clear and copy", "[rtt_statistics]") {
  RttStatistics stats;
  for (Micros rtt : {100, 200, 300}) stats.record(rtt);
  RttStatistics copy = stats;
  stats.clear();
  CHECK(stats.count() == 0);
  CHECK_FALSE(stats.percentile(50));
  CHECK_FALSE(stats.summary());
  CHECK_FALSE(stats.jitter().smoothed());
  stats.record(7);
  CHECK(stats.percentile(100) == 7);
  CHECK(copy.count() == 3);
  CHECK(copy.percentile(0) == 100);
  copy = stats;
  CHECK(copy.count() == 1);

  // A cleared histogram takes the next stream where its window lies or moves the window, zeroed:
  // a sweep reusing a slot allocates nothing for the next target.
  RttStatistics reused;
  reused.record(1000);
  const std::size_t bytes = reused.histogram().heap_bytes();
  reused.clear();
  const std::size_t heap_before = heap_in_use();
  reused.record(5'000'000);
  CHECK(heap_in_use() == heap_before);
  CHECK(reused.histogram().heap_bytes() == bytes);
  CHECK(reused.percentile(50) == 5'000'000);
  CHECK(reused.histogram().percentile(50) == Approx(5'000'000).epsilon(0.02));
  CHECK(reused.histogram().count() == 1);
}

TEST_CASE("rtt statistics: memory constant over ten million samples", "[rtt_statistics]") {
  std::mt19937_64 random(10);
  std::uniform_int_distribution<Micros> anywhere(0, 70'000'000);  // overflows too
  std::uniform_int_distribution<Micros> steady(800, 1200);
  constexpr int kSamples = 10'000'000;
  static_assert(sizeof(RttStatistics) <= 256, "fixed size, independent of the samples");

  SECTION("preallocated: nothing allocated after construction") {
    RttStatistics stats(RttResolution{}, uping::RttStorage::preallocated);
    const std::size_t heap_before = heap_in_use();
    for (int i = 0; i < kSamples; ++i) stats.record(anywhere(random), i % 1000 == 0);
    CHECK(heap_in_use() == heap_before);
    CHECK(stats.count() == static_cast<std::uint64_t>(kSamples));
    CHECK(stats.histogram().heap_bytes() == 382 * sizeof(std::uint64_t));
  }
  SECTION("on demand: never more than the layout, and constant once the samples stop spreading") {
    RttStatistics stats;
    CHECK(stats.histogram().heap_bytes() == 0);
    stats.record(0);  // the two ends of the range: the window spans every bucket
    stats.record(60'000'000);
    const std::size_t heap_spread = heap_in_use();
    for (int i = 2; i < kSamples; ++i) stats.record(anywhere(random));
    CHECK(heap_in_use() == heap_spread);
    CHECK(stats.histogram().heap_bytes() <= 382 * sizeof(std::uint64_t));
  }
  SECTION("on demand, RTTs within a factor of 1.5: a few dozen counters") {
    RttStatistics stats;
    for (int i = 0; i < 1'000; ++i) stats.record(steady(random));
    const std::size_t heap_spread = heap_in_use();
    for (int i = 1'000; i < kSamples; ++i) stats.record(steady(random));
    CHECK(heap_in_use() == heap_spread);
    CHECK(stats.histogram().heap_bytes() <= 32 * sizeof(std::uint64_t));
    CHECK(*stats.percentile(50) == Approx(1000).epsilon(0.03));  // within 2 %, of a median near 1000
  }
}

TEST_CASE("rtt jitter: RFC 3550 smoothing and the mean absolute difference", "[rtt_statistics]") {
  RttJitter jitter;
  jitter.record(100);
  CHECK_FALSE(jitter.smoothed());  // the first reply gives no difference
  CHECK_FALSE(jitter.mean_abs_difference());
  // D = 20, 10, 40. J = 20/16 = 1.25; 1.25 + (10 - 1.25)/16 = 1.796875; + (40 - 1.796875)/16 = 4.1845703125.
  jitter.record(120);
  CHECK(jitter.smoothed() == 1.25);
  jitter.record(110);
  CHECK(jitter.smoothed() == 1.796875);
  jitter.record(150);
  CHECK(jitter.smoothed() == 4.1845703125);
  CHECK(*jitter.mean_abs_difference() == Approx(70.0 / 3));
  CHECK(jitter.differences() == 3);

  // Duplicates do not enter jitter (they enter min/avg/max/mdev and the percentiles).
  RttStatistics stats;
  stats.record(100);
  stats.record(5000, true);
  stats.record(120);
  CHECK(stats.jitter().smoothed() == 1.25);
  CHECK(stats.jitter().mean_abs_difference() == 20);
  CHECK(stats.summary()->max == 5000);
  CHECK(stats.percentile(100) == 5000);

  // Pooled: differences add up; the smoothed figures average, weighted by their differences.
  RttJitter other;
  for (Micros rtt : {10, 26}) other.record(rtt);  // D = 16: J = 1, mean 16
  jitter.merge(other);
  CHECK(jitter.differences() == 4);
  CHECK(*jitter.mean_abs_difference() == Approx(86.0 / 4));
  CHECK(*jitter.smoothed() == Approx((4.1845703125 * 3 + 1) / 4));
  RttJitter none;
  jitter.merge(none);
  CHECK(jitter.differences() == 4);
}

TEST_CASE("rtt statistics: min/avg/max/mdev identical to Statistics'", "[rtt_statistics]") {
  std::mt19937_64 random(11);
  for (const auto& [low, high, n] : {std::tuple<Micros, Micros, int>{10, 100, 3},
                                     {10, 100'000, 1000},
                                     {20, 60, 50'000},
                                     {1'000'000, 60'000'000, 2000}}) {
    std::uniform_int_distribution<Micros> pick(low, high);
    Statistics reference;
    RttStatistics stats;
    for (int i = 0; i < n; ++i) {
      const Micros rtt = pick(random);
      const bool duplicate = i % 7 == 3;
      reference.record_reply(rtt, duplicate);
      stats.record(rtt, duplicate);
    }
    const auto expected = reference.rtt_summary();
    const auto got = stats.summary();
    REQUIRE(expected);
    REQUIRE(got);
    CHECK(got->min == expected->min);
    CHECK(got->avg == expected->avg);
    CHECK(got->max == expected->max);
    CHECK(got->mdev == expected->mdev);
  }
}
