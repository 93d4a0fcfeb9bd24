#pragma once
// A sweep's --file read on a thread of its own. A pipe or a terminal (`--file -`) may block for
// ever in read(), and the thread pacing the probes must not: its timers (-w), SIGINT and RTTs
// would wait with it. The reader fills a bounded queue (kMaxQueued targets, and as many again in
// the batch the loop took from it: an endless pipe is never read ahead without bound) and posts
// a wake-up to the io_context when something is ready.
//
// Lifetime, as ResolverPool's workers: the thread is detached and holds only the shared state;
// destroying the source tells it to stop, and a thread still blocked in read() at exit does not
// hold the process. Start it after privileges are dropped.

#include <cstddef>
#include <functional>
#include <memory>

#include "cli/targets.hpp"

namespace boost::asio {
class io_context;
}

namespace uping::targets {

inline constexpr std::size_t kMaxQueued = 1024;

// Starts reading `file` on its own thread. `on_ready` runs on the io_context's thread when a target
// (or the end, or an error) is ready, never after the returned source is destroyed.
std::unique_ptr<LineSource> read_in_background(boost::asio::io_context& io, TargetFile file,
                                               std::function<void()> on_ready);

}  // namespace uping::targets
