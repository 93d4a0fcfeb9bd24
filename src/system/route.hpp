#pragma once
// What iputils learns with a connected UDP socket before the first probe: the source address the
// kernel would use (for -I / -B and the header), and whether the destination can be reached at
// all ("connect: Network is unreachable") or is a broadcast address (EACCES without SO_BROADCAST).

#include <optional>
#include <string>

#include "uping/address.hpp"

namespace uping {

struct RouteProbe {
  std::optional<SocketAddress> source;  // ports cleared
  std::optional<std::string> failure;   // iputils' message for stderr ("connect: ..."), exit 2
  bool broadcast_refused = false;       // a broadcast destination and `broadcast_allowed` false (exit 2)
  bool broadcast = false;               // a broadcast destination reached with SO_BROADCAST
};

// Connects a UDP socket towards `destination` (port 1025, as iputils), bound to `device` when not
// empty and with IPv4 `tos` when non-zero. A link-local IPv6 destination is probed as iputils does,
// with an unset family: the connect only dissolves, and the source reads "::".
RouteProbe probe_route(const SocketAddress& destination, const std::string& device, std::optional<int> tos,
                       bool broadcast_allowed);

}  // namespace uping
