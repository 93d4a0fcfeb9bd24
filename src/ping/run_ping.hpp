#pragma once
// The iputils ping run: open the socket, drop privileges, resolve, learn the route, configure
// the socket, print the header, then the session (ping/session.hpp). Asio stays behind this header.

#include "ping/options.hpp"

namespace uping {

// Everything after option parsing; returns the process exit code (0, 1 or 2 as iputils).
int run_ping(const Options& options);

}  // namespace uping
