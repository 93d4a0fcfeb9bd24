// process_* figures: the pure parser of /proc/self/stat, and the live reading of this process.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <string>

#include <catch2/catch.hpp>

#include "monitor/process_stats.hpp"

using uping::monitor::parse_proc_stat;
using uping::monitor::read_process_stats;

namespace {

// A /proc/PID/stat line with utime 250, stime 150, starttime 3233768, vsize 3133440, rss 409 pages.
std::string stat_line(const std::string& command) {
  return "3663 (" + command +
         ") R 3656 3656 24212 0 -1 4194304 100 0 0 0 250 150 0 0 20 0 1 0 3233768 3133440 409 "
         "18446744073709551615 94650327621632 94650327641513 140732781003472 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}

}  // namespace

TEST_CASE("process stats: cpu, memory and start time from /proc/self/stat", "[monitor_process_stats]") {
  const auto stats = parse_proc_stat(stat_line("uping"), 100, 4096, 1796101758.0);
  REQUIRE(stats.has_value());
  CHECK(stats->cpu_seconds == Approx(4.0));
  CHECK(stats->virtual_bytes == 3133440U);
  CHECK(stats->resident_bytes == 409U * 4096U);
  CHECK(stats->start_time_seconds == Approx(1796101758.0 + 32337.68));
}

TEST_CASE("process stats: a command name with spaces and parentheses", "[monitor_process_stats]") {
  const auto stats = parse_proc_stat(stat_line("a) b (c) 1 2 3"), 100, 4096, 0);
  REQUIRE(stats.has_value());
  CHECK(stats->cpu_seconds == Approx(4.0));
  CHECK(stats->resident_bytes == 409U * 4096U);
}

TEST_CASE("process stats: truncated or malformed text is refused", "[monitor_process_stats]") {
  CHECK_FALSE(parse_proc_stat("", 100, 4096, 0).has_value());
  CHECK_FALSE(parse_proc_stat("3663 (uping", 100, 4096, 0).has_value());
  CHECK_FALSE(parse_proc_stat("3663 (uping) R 1 2 3 4 5 6 7 8 9 10 11 12", 100, 4096, 0).has_value());
  std::string bad = stat_line("uping");
  bad.replace(bad.find("250"), 3, "2x0");
  CHECK_FALSE(parse_proc_stat(bad, 100, 4096, 0).has_value());
  CHECK_FALSE(parse_proc_stat(stat_line("uping"), 0, 4096, 0).has_value());
  CHECK_FALSE(parse_proc_stat(stat_line("uping"), 100, 0, 0).has_value());
}

TEST_CASE("process stats: this process, read from /proc", "[monitor_process_stats]") {
  const auto before = read_process_stats();
  if (!before) {
    WARN("/proc is not readable here");
    return;
  }
  CHECK(before->resident_bytes > 0);
  CHECK(before->virtual_bytes >= before->resident_bytes);
  const double now = static_cast<double>(std::time(nullptr));
  CHECK(before->start_time_seconds <= now + 1);
  CHECK(before->start_time_seconds > now - 86400.0 * 365);
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  CHECK(before->max_fds == limit.rlim_cur);
  // Three more descriptors are counted as three more.
  const int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int b = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int c = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const auto after = read_process_stats();
  ::close(a);
  ::close(b);
  ::close(c);
  REQUIRE(after.has_value());
  CHECK(after->open_fds == before->open_fds + 3);
  CHECK(after->cpu_seconds >= before->cpu_seconds);
}
