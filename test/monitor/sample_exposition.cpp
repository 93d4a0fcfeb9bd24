// Writes a sample exposition to stdout for `promtool check metrics` (check_promtool.sh): every
// family type, labels needing escapes, the special values, and a histogram with an overflow count.
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "monitor/exposition.hpp"

int main() {
  using uping::monitor::MetricType;
  std::string out;
  uping::monitor::Exposition exposition(out);

  exposition.family("uping_probes_sent", MetricType::counter, "Echo requests sent, per target.\nSecond line \\ here.");
  exposition.sample({{"target", "198.51.100.7"}, {"address", "198.51.100.7"}, {"family", "ipv4"}}, std::uint64_t{120});
  exposition.sample({{"target", "odd \"name\"\\\nline"}, {"address", "2001:db8::1"}, {"family", "ipv6"}},
                    std::uint64_t{0});
  exposition.family("uping_up", MetricType::gauge, "1 while the target answers, 0 in an outage.");
  exposition.sample({{"target", "198.51.100.7"}}, 1.0);
  exposition.family("uping_jitter_seconds", MetricType::gauge, "Mean absolute difference of successive round trips.");
  exposition.sample({{"target", "a"}}, 0.000125);
  exposition.sample({{"target", "b"}}, std::numeric_limits<double>::quiet_NaN());
  exposition.sample({{"target", "c"}}, std::numeric_limits<double>::infinity());
  exposition.sample({{"target", "d"}}, -std::numeric_limits<double>::infinity());
  exposition.sample({{"target", "e"}}, 2.5e-9);

  const std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  const std::vector<std::uint64_t> counts = {3, 10, 40, 7, 0, 0, 1, 0, 0, 0, 0, 2, 1};
  exposition.family("uping_rtt_seconds", MetricType::histogram, "Round-trip times since start.");
  exposition.histogram({{"target", "198.51.100.7"}, {"family", "ipv4"}}, {bounds, counts, 4.0625});
  exposition.histogram({{"target", "empty"}, {"family", "ipv6"}}, {bounds, {}, 0.0});

  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::ferror(stdout) ? 1 : 0;
}
