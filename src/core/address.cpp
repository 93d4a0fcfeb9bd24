#include "uping/address.hpp"

#include <netinet/in.h>

#include <cstring>

namespace uping {

bool SocketAddress::same_host(const SocketAddress& other) const noexcept {
  if (storage.ss_family != other.storage.ss_family) return false;
  if (storage.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&storage);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&other.storage);
    return a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (storage.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&other.storage);
    return std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
  }
  return false;
}

HostBytes host_bytes(const SocketAddress& address) noexcept {
  HostBytes bytes{};
  if (address.storage.ss_family == AF_INET) {
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_addr, 4);
  } else if (address.storage.ss_family == AF_INET6) {
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr, 16);
  }
  return bytes;
}

SocketAddress address_of(icmp::Family family, const HostBytes& bytes) noexcept {
  SocketAddress address;
  if (family == icmp::Family::v4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&address.storage);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, bytes.data(), 4);
    address.length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, bytes.data(), 16);
    address.length = sizeof(sockaddr_in6);
  }
  return address;
}

}  // namespace uping
