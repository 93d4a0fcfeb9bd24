#pragma once
// The ping run itself: open sockets, drop privileges, resolve, send and receive on one Asio
// io_context, print as iputils does. Asio stays behind this header.

#include "ping/options.hpp"

namespace uping {

// Everything after option parsing; returns the process exit code (0, 1 or 2 as iputils).
int run_ping(const Options& options);

}  // namespace uping
