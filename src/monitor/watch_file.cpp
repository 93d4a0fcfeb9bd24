#include "monitor/watch_file.hpp"

#include <sys/stat.h>

#include <istream>
#include <utility>

#include "cli/targets.hpp"

namespace uping::monitor {

std::variant<std::vector<std::string>, std::string> read_watch_file(const std::string& path, std::size_t max_targets) {
  auto opened = targets::open_target_file(path);
  if (auto* refusal = std::get_if<std::string>(&opened)) return std::move(*refusal);
  const targets::TargetFile& file = std::get<targets::TargetFile>(opened);
  // Read on the event loop's thread: a FIFO or a terminal could block it for ever.
  struct stat status {};
  if (::fstat(file.fd(), &status) != 0 || !S_ISREG(status.st_mode)) return path + ": not a regular file";
  std::vector<std::string> texts;
  try {
    targets::FdReadBuffer buffer(file.fd(), path);
    std::istream in(&buffer);
    targets::LineReader reader(in, path);
    while (auto text = reader.next()) {
      if (texts.size() >= max_targets) return path + ": more than " + std::to_string(max_targets) + " targets";
      texts.push_back(std::move(*text));
    }
  } catch (const targets::InputError& error) {
    return std::string(error.what());
  }
  return texts;
}

}  // namespace uping::monitor
