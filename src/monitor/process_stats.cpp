#include "monitor/process_stats.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <string>

namespace uping::monitor {
namespace {

// Fields of /proc/PID/stat counted from the state (field 3 in proc(5)) after the command's ')'.
constexpr std::size_t kUtime = 14 - 3;
constexpr std::size_t kStime = 15 - 3;
constexpr std::size_t kStartTime = 22 - 3;
constexpr std::size_t kVsize = 23 - 3;
constexpr std::size_t kRss = 24 - 3;

std::optional<std::uint64_t> unsigned_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// A small file of /proc whole (read(2) until EOF: /proc files report size 0).
std::optional<std::string> read_small_file(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  std::array<char, 4096> chunk{};
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      ::close(fd);
      if (got < 0) return std::nullopt;
      return text;
    }
    text.append(chunk.data(), static_cast<std::size_t>(got));
    if (text.size() > (std::size_t{1} << 20)) {  // /proc/stat grows with CPUs, never this far
      ::close(fd);
      return std::nullopt;
    }
  }
}

std::optional<double> boot_time(std::string_view proc_stat) {
  constexpr std::string_view kKey = "btime ";
  std::size_t at = 0;
  while (at < proc_stat.size()) {
    const auto end = proc_stat.find('\n', at);
    const auto line = proc_stat.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.substr(0, kKey.size()) == kKey) {
      const auto value = unsigned_number(line.substr(kKey.size()));
      if (!value) return std::nullopt;
      return static_cast<double>(*value);
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

std::uint64_t count_open_fds() {
  DIR* directory = ::opendir("/proc/self/fd");
  if (directory == nullptr) return 0;
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(directory)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(directory);
  return count > 0 ? count - 1 : 0;  // not the descriptor opendir itself holds
}

}  // namespace

std::optional<ProcessStats> parse_proc_stat(std::string_view stat_text, long ticks_per_second, long page_size,
                                            double boot_time_seconds) {
  if (ticks_per_second <= 0 || page_size <= 0) return std::nullopt;
  // The command name is in parentheses and may itself hold spaces and ')': the last ')' ends it.
  const auto close = stat_text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::array<std::string_view, kRss + 1> fields{};
  std::size_t count = 0;
  std::size_t at = close + 1;
  while (count < fields.size()) {
    while (at < stat_text.size() && (stat_text[at] == ' ' || stat_text[at] == '\n')) ++at;
    if (at >= stat_text.size()) break;
    auto end = stat_text.find_first_of(" \n", at);
    if (end == std::string_view::npos) end = stat_text.size();
    fields[count++] = stat_text.substr(at, end - at);
    at = end;
  }
  if (count < fields.size()) return std::nullopt;
  const auto utime = unsigned_number(fields[kUtime]);
  const auto stime = unsigned_number(fields[kStime]);
  const auto start = unsigned_number(fields[kStartTime]);
  const auto vsize = unsigned_number(fields[kVsize]);
  const auto rss = unsigned_number(fields[kRss]);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  const auto ticks = static_cast<double>(ticks_per_second);
  ProcessStats stats;
  stats.cpu_seconds = static_cast<double>(*utime + *stime) / ticks;
  stats.start_time_seconds = boot_time_seconds + static_cast<double>(*start) / ticks;
  stats.virtual_bytes = *vsize;
  stats.resident_bytes = *rss * static_cast<std::uint64_t>(page_size);
  return stats;
}

std::optional<ProcessStats> read_process_stats() {
  const auto stat_text = read_small_file("/proc/self/stat");
  const auto proc_stat = read_small_file("/proc/stat");
  if (!stat_text || !proc_stat) return std::nullopt;
  const auto boot = boot_time(*proc_stat);
  if (!boot) return std::nullopt;
  auto stats = parse_proc_stat(*stat_text, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE), *boot);
  if (!stats) return std::nullopt;
  stats->open_fds = count_open_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) stats->max_fds = static_cast<std::uint64_t>(limit.rlim_cur);
  return stats;
}

}  // namespace uping::monitor
