#pragma once
// A socket address of either family, as the kernel takes and returns it.

#include <sys/socket.h>

#include <array>
#include <cstdint>

#include "uping/icmp.hpp"

namespace uping {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
  icmp::Family family() const noexcept { return storage.ss_family == AF_INET6 ? icmp::Family::v6 : icmp::Family::v4; }
  bool same_host(const SocketAddress& other) const noexcept;  // address (and scope) equal, ports ignored
};

// The address bytes alone (4 for IPv4, 16 for IPv6; the rest zero), for compact comparison.
using HostBytes = std::array<std::uint8_t, 16>;
HostBytes host_bytes(const SocketAddress& address) noexcept;
// The address of `family` with those bytes (no port, no scope).
SocketAddress address_of(icmp::Family family, const HostBytes& bytes) noexcept;

}  // namespace uping
