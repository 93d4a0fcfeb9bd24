#pragma once
// --textfile: the exposition written for node_exporter's textfile collector, atomically: a
// temporary file in the same directory (named ".NAME.tmp": not *.prom, which the collector would
// read half-written), written in full, fsync'd, then renamed over PATH.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace uping::monitor {

// The file's text, handed over piece by piece to `write` (so 10,000 targets' 32 MB of exposition is
// never held whole).
using TextfileWrite = std::function<void(std::string_view piece)>;
using TextfileSource = std::function<void(const TextfileWrite& write)>;

// One line naming the path and the failed step ("/var/lib/node/uping.prom: rename: Permission
// denied"), else empty. The temporary file is removed on failure. After a failed write the source
// runs on, its pieces dropped.
std::optional<std::string> write_textfile(const std::string& path, const TextfileSource& source);

inline std::optional<std::string> write_textfile(const std::string& path, std::string_view text) {
  return write_textfile(path, [text](const TextfileWrite& write) { write(text); });
}

}  // namespace uping::monitor
