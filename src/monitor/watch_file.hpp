#pragma once
// --file for the monitor: read whole at start and again on SIGHUP (the sweep's line rules:
// first word, '#' comments, line and name limits), so a reload either takes the whole new list
// or keeps the old one.

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

namespace uping::monitor {

// The targets in file order, or one line saying why the file cannot be used ("targets.txt: No
// such file or directory", "targets.txt: line 3: a NUL byte", more than `max_targets`).
std::variant<std::vector<std::string>, std::string> read_watch_file(const std::string& path, std::size_t max_targets);

}  // namespace uping::monitor
