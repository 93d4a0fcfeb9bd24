#pragma once
// A socket address of either family, as the kernel takes and returns it.

#include <sys/socket.h>

#include "uping/icmp.hpp"

namespace uping {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
  icmp::Family family() const noexcept { return storage.ss_family == AF_INET6 ? icmp::Family::v6 : icmp::Family::v4; }
  bool same_host(const SocketAddress& other) const noexcept;  // address (and scope) equal, ports ignored
};

}  // namespace uping
