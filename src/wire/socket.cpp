#include "wire/socket.hpp"

#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/in6.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "system/privileges.hpp"

namespace uping::net {
namespace {

// Errors of a datagram socket() that a raw socket can get past. EACCES: the caller's group is
// outside net.ipv4.ping_group_range. EPROTONOSUPPORT / EAFNOSUPPORT: a kernel without ICMP
// datagram sockets (before 3.0, or 3.11 for IPv6). Anything else (EMFILE, ENOBUFS, ...) would
// fail for a raw socket too.
bool raw_socket_may_help(int error) noexcept {
  return error == EACCES || error == EPROTONOSUPPORT || error == EAFNOSUPPORT;
}

template <typename T>
bool set_option(int fd, int level, int name, const T& value) noexcept {
  return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

void set_raw_filter(int fd, icmp::Family family) {
  if (family == icmp::Family::v4) {
    // ICMP_FILTER blocks the types whose bit is set: keep echo replies and the errors that can
    // quote one of our requests, drop everything else before it reaches user space.
    std::uint32_t wanted = (1U << icmp::v4::kEchoReply) | (1U << icmp::v4::kDestinationUnreachable) |
                           (1U << icmp::v4::kSourceQuench) | (1U << icmp::v4::kRedirect) |
                           (1U << icmp::v4::kTimeExceeded) | (1U << icmp::v4::kParameterProblem);
    icmp_filter filter{~wanted};
    set_option(fd, SOL_RAW, ICMP_FILTER, filter);
    return;
  }
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  for (std::uint8_t type : {icmp::v6::kEchoReply, icmp::v6::kDestinationUnreachable, icmp::v6::kPacketTooBig,
                            icmp::v6::kTimeExceeded, icmp::v6::kParameterProblem}) {
    ICMP6_FILTER_SETPASS(type, &filter);
  }
  set_option(fd, IPPROTO_ICMPV6, ICMP6_FILTER, filter);
}

SocketAddress any_address(icmp::Family family) {
  SocketAddress address;
  if (family == icmp::Family::v4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&address.storage);
    sin->sin_family = AF_INET;
    address.length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    sin6->sin6_family = AF_INET6;
    address.length = sizeof(sockaddr_in6);
  }
  return address;
}

std::uint16_t bound_port(const sockaddr_storage& storage) noexcept {
  if (storage.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

std::string failure(std::string_view what, int error) { return std::string(what) + ": " + std::strerror(error); }

std::chrono::nanoseconds read_clock(clockid_t clock) noexcept {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

Instant read_clocks() noexcept {
  const auto wall = read_clock(CLOCK_REALTIME);
  return {wall, read_clock(CLOCK_MONOTONIC)};
}

std::chrono::nanoseconds read_monotonic() noexcept { return read_clock(CLOCK_MONOTONIC); }

OpenedSocket::~OpenedSocket() {
  if (fd_ >= 0) ::close(fd_);
}

IcmpSocket OpenedSocket::into_asio(boost::asio::io_context& io, icmp::Family family) {
  IcmpSocket socket(io);
  boost::system::error_code error;
  socket.assign(IcmpProtocol(family, mode_), fd_, error);
  // Refused by epoll (fs.epoll.max_user_watches, ENOMEM): the descriptor stays ours, closed with us.
  if (error) throw boost::system::system_error(error, "epoll");
  fd_ = -1;
  return socket;
}

std::optional<OpenedSocket> open_icmp_socket(icmp::Family family, std::vector<SocketAttempt>& attempts, bool raw_only) {
  const auto try_open = [&](SocketMode mode) {
    const IcmpProtocol protocol(family, mode);
    const int fd = ::socket(protocol.family(), protocol.type() | SOCK_CLOEXEC, protocol.protocol());
    attempts.push_back({family, mode, fd < 0 ? errno : 0});
    return fd;
  };
  if (!raw_only) {
    const int datagram_fd = try_open(SocketMode::datagram);
    if (datagram_fd >= 0) return OpenedSocket(datagram_fd, SocketMode::datagram);
    if (!raw_socket_may_help(attempts.back().error)) return std::nullopt;
  }

  // Only when CAP_NET_RAW is permitted does raising it succeed; without it socket() says EPERM,
  // which is the honest answer for the diagnosis.
  privileges::raise_net_raw();
  const int raw_fd = try_open(SocketMode::raw);
  if (raw_fd < 0) return std::nullopt;
  return OpenedSocket(raw_fd, SocketMode::raw);
}

int set_mark(int fd, std::uint32_t mark) noexcept {
  return setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) == 0 ? 0 : errno;
}

std::optional<std::uint16_t> configure_socket(int fd, icmp::Family family, SocketMode mode,
                                              const SocketSettings& settings, std::uint16_t raw_identifier,
                                              std::string& error, ConfigureFailure* failed) {
  const int on = 1;
  const auto fail = [&error, failed](std::string_view what, ConfigureStep step = ConfigureStep::option) {
    const int saved = errno;
    if (failed != nullptr) *failed = {saved, step};
    error = failure(what, saved);
    return std::nullopt;
  };
  if (settings.kernel_timestamps) set_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, on);
  // Failures of these two are ignored, as iputils ignores them.
  if (settings.so_debug) set_option(fd, SOL_SOCKET, SO_DEBUG, on);
  if (settings.dont_route) set_option(fd, SOL_SOCKET, SO_DONTROUTE, on);
  // Counts what the kernel drops for want of buffer space, so that a loss can be told apart.
  set_option(fd, SOL_SOCKET, SO_RXQ_OVFL, on);
  if (family == icmp::Family::v4) {
    set_option(fd, IPPROTO_IP, IP_RECVERR, on);
    set_option(fd, IPPROTO_IP, IP_RECVTTL, on);
    if (settings.receive_tos) set_option(fd, IPPROTO_IP, IP_RECVTOS, on);
    // The options of each reply (-R / -T dumps) come as a control message on datagram sockets.
    if (mode == SocketMode::datagram) set_option(fd, IPPROTO_IP, IP_RETOPTS, on);
    if (settings.tos && *settings.tos != 0 && !set_option(fd, IPPROTO_IP, IP_TOS, *settings.tos)) {
      return fail("setsockopt");
    }
    if (settings.pmtu && !set_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, *settings.pmtu)) {
      return fail("IP_MTU_DISCOVER");
    }
    if (!settings.ip_options.empty() && setsockopt(fd, IPPROTO_IP, IP_OPTIONS, settings.ip_options.data(),
                                                   static_cast<socklen_t>(settings.ip_options.size())) != 0) {
      if (!settings.ip_options_timestamp) return fail("record route");
      // iputils retries a refused timestamp option with flags 2 (unused), then gives up.
      auto retry = settings.ip_options;
      retry[3] = 2;
      if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, retry.data(), static_cast<socklen_t>(retry.size())) != 0) {
        return fail("ts option");
      }
    }
    if (settings.broadcast && !set_option(fd, SOL_SOCKET, SO_BROADCAST, on)) {
      return fail("cannot set broadcasting");
    }
    if (settings.no_loop && !set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0)) {
      return fail("cannot disable multicast loopback");
    }
    if (settings.ttl) {
      if (!set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, *settings.ttl))
        return fail("cannot set multicast time-to-live");
      if (!set_option(fd, IPPROTO_IP, IP_TTL, *settings.ttl)) return fail("cannot set unicast time-to-live");
    }
  } else {
    set_option(fd, IPPROTO_IPV6, IPV6_RECVERR, on);
    set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on);
    if (settings.receive_tos) set_option(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, on);
    if (settings.tos && *settings.tos != 0 && !set_option(fd, IPPROTO_IPV6, IPV6_TCLASS, *settings.tos)) {
      return fail("setsockopt");
    }
    if (settings.pmtu && !set_option(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, *settings.pmtu)) {
      return fail("IPV6_MTU_DISCOVER");
    }
    if (settings.no_loop && !set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)) {
      return fail("can't disable multicast loopback");
    }
    if (settings.ttl) {
      if (!set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, *settings.ttl))
        return fail("can't set multicast hop limit");
      if (!set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, *settings.ttl)) return fail("can't set unicast hop limit");
    }
    if (settings.flow_label && *settings.flow_label != 0 && settings.flow_destination) {
      // A flow label must be leased from the kernel for the destination before it may be sent.
      in6_flowlabel_req request{};
      request.flr_dst = reinterpret_cast<const sockaddr_in6*>(&settings.flow_destination->storage)->sin6_addr;
      request.flr_label = htonl(*settings.flow_label & IPV6_FLOWINFO_FLOWLABEL);
      request.flr_action = IPV6_FL_A_GET;
      request.flr_flags = IPV6_FL_F_CREATE;
      request.flr_share = IPV6_FL_S_EXCL;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &request, sizeof request) != 0) {
        return fail("can't set flowlabel");
      }
      if (!set_option(fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, on)) return fail("can't send flowinfo");
    }
  }
  if (settings.sndbuf) set_option(fd, SOL_SOCKET, SO_SNDBUF, *settings.sndbuf);
  if (settings.rcvbuf > 0) set_option(fd, SOL_SOCKET, SO_RCVBUF, settings.rcvbuf);
  if (mode == SocketMode::raw) set_raw_filter(fd, family);

  if (!settings.interface.empty()) {
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, settings.interface.c_str(),
                   static_cast<socklen_t>(settings.interface.size() + 1)) != 0) {
      return fail("SO_BINDTODEVICE " + settings.interface, ConfigureStep::interface);
    }
  }

  if (mode == SocketMode::raw) {
    if (settings.source && bind(fd, settings.source->get(), settings.source->length) != 0) {
      return fail("bind", ConfigureStep::bind);
    }
    return raw_identifier;
  }
  // A datagram socket's identifier is its local "port": binding port 0 makes the kernel pick
  // a free one now, so the identifier is known before the first probe; -e binds that port.
  SocketAddress local = settings.source ? *settings.source : any_address(family);
  const std::uint16_t wanted_port = htons(settings.identifier.value_or(0));
  if (family == icmp::Family::v4) reinterpret_cast<sockaddr_in*>(&local.storage)->sin_port = wanted_port;
  else reinterpret_cast<sockaddr_in6*>(&local.storage)->sin6_port = wanted_port;
  if (bind(fd, local.get(), local.length) != 0) return fail("bind", ConfigureStep::bind);
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) {
    return fail("getsockname");
  }
  return bound_port(bound);
}

}  // namespace uping::net
