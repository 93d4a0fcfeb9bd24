#pragma once
// What the iputils command line asks of the ICMP socket, as iputils sets it up: a pure function
// of the options and the facts found at start (no system call).

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ping/options.hpp"
#include "uping/address.hpp"
#include "wire/socket.hpp"

namespace uping {

// What run_ping learned before the socket is configured.
struct StartFacts {
  icmp::Family family = icmp::Family::v4;
  SocketAddress target;
  std::string device;                           // -I's device (or an IPv6 source's %scope); may be empty
  std::optional<SocketAddress> source_address;  // -I given as an address
  std::optional<SocketAddress> route_source;    // the source the route probe found
  std::vector<SocketAddress> timestamp_hops;    // -T tsprespec's hops (IPv4)
  bool multicast = false;                       // broadcast (-b) or multicast destination
  bool root = false;                            // real uid 0
};

// iputils' receive-buffer estimate for `preload` probes in flight (its sock_setbufs); below it
// iputils warns "probably, rcvbuf is not enough to hold preload".
int receive_buffer_for(const Options& options, icmp::Family family);

// The socket settings, or iputils' message for a refused combination (exit 2): a user's
// broadcast or multicast IPv4 ping faster than once a second, or with -M other than "do".
std::variant<net::SocketSettings, std::string> socket_settings_for(const Options& options, const StartFacts& facts);

}  // namespace uping
