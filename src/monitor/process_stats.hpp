#pragma once
// The process_* metrics every Prometheus exporter has, from /proc/self.

#include <optional>
#include <string_view>

#include "monitor/render.hpp"

namespace uping::monitor {

// Empty when /proc is not readable (an empty root, a seccomp profile): the families are left out.
std::optional<ProcessStats> read_process_stats();

// Pure pieces, for tests: /proc/self/stat's text with the clock ticks per second, the page size
// and the boot time (btime of /proc/stat) → cpu, memory and start time.
std::optional<ProcessStats> parse_proc_stat(std::string_view stat_text, long ticks_per_second, long page_size,
                                            double boot_time_seconds);

}  // namespace uping::monitor
