#pragma once
// --textfile: the exposition written for node_exporter's textfile collector, atomically: a
// temporary file in the same directory (named ".NAME.tmp": not *.prom, which the collector would
// read half-written), written in full, fsync'd, then renamed over PATH.

#include <optional>
#include <string>
#include <string_view>

namespace uping::monitor {

// One line naming the path and the failed step ("/var/lib/node/uping.prom: rename: Permission
// denied"), else empty. The temporary file is removed on failure.
std::optional<std::string> write_textfile(const std::string& path, std::string_view text);

}  // namespace uping::monitor
