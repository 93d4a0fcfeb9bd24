#include "system/route.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace uping {
namespace {

bool link_local_v6(const SocketAddress& address) {
  if (address.storage.ss_family != AF_INET6) return false;
  const auto& bytes = reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr;
  return IN6_IS_ADDR_LINKLOCAL(&bytes) || IN6_IS_ADDR_MC_LINKLOCAL(&bytes);
}

}  // namespace

RouteProbe probe_route(const SocketAddress& destination, const std::string& device, std::optional<int> tos,
                       bool broadcast_allowed) {
  RouteProbe result;
  const int fd = ::socket(destination.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return result;  // cannot tell; the probes will say
  if (!device.empty()) {
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1)) != 0) {
      result.failure = "SO_BINDTODEVICE " + device + ": " + std::strerror(errno);
      ::close(fd);
      return result;
    }
  }
  if (tos && *tos != 0 && destination.storage.ss_family == AF_INET)
    setsockopt(fd, IPPROTO_IP, IP_TOS, &*tos, sizeof(int));
  SocketAddress probe = destination;
  const std::uint16_t discard_port = htons(1025);
  if (probe.storage.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&probe.storage)->sin_port = discard_port;
  else reinterpret_cast<sockaddr_in6*>(&probe.storage)->sin6_port = discard_port;
  if (link_local_v6(destination)) probe.storage.ss_family = AF_UNSPEC;
  if (::connect(fd, probe.get(), probe.length) != 0) {
    if (errno == EACCES && probe.storage.ss_family == AF_INET) {
      if (!broadcast_allowed) {
        result.broadcast_refused = true;
        ::close(fd);
        return result;
      }
      result.broadcast = true;
      const int on = 1;
      setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
      if (::connect(fd, probe.get(), probe.length) != 0)
        result.failure = std::string("connect: ") + std::strerror(errno);
    } else {
      result.failure = std::string("connect: ") + std::strerror(errno);
    }
  }
  if (!result.failure) {
    SocketAddress source;
    source.length = sizeof source.storage;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&source.storage), &source.length) == 0) {
      if (source.storage.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&source.storage)->sin_port = 0;
      else reinterpret_cast<sockaddr_in6*>(&source.storage)->sin6_port = 0;
      result.source = source;
    }
  }
  ::close(fd);
  return result;
}

}  // namespace uping
