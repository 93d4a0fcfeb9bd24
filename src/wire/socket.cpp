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
#include "wire/send_receive_ring.hpp"

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

// Control messages are read with memcpy: CMSG_DATA is not aligned for every type.
template <typename T>
T cmsg_value(const cmsghdr* cmsg) noexcept {
  T value{};
  std::memcpy(&value, CMSG_DATA(cmsg), sizeof value);
  return value;
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
  for (std::uint8_t type : {icmp::v6::kEchoReply, icmp::v6::kDestinationUnreachable,
                            icmp::v6::kPacketTooBig, icmp::v6::kTimeExceeded,
                            icmp::v6::kParameterProblem}) {
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
  if (storage.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

std::string failure(std::string_view what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

// Room for a timestamp, a TTL and a drop counter, with headroom.
constexpr std::size_t kControlSize = 256;

void read_control_messages(msghdr& msg, Datagram& out) noexcept {
  out.ttl.reset();
  out.kernel_time.reset();
  out.kernel_drops.reset();
  out.ip_options.clear();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
        c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
      const auto ts = cmsg_value<timespec>(c);
      out.kernel_time = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
               c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
      out.kernel_drops = cmsg_value<std::uint32_t>(c);
    } else if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) &&
               c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      out.ttl = cmsg_value<int>(c);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RETOPTS && c->cmsg_len > CMSG_LEN(0)) {
      const auto* data = reinterpret_cast<const std::uint8_t*>(CMSG_DATA(c));
      out.ip_options.assign(data, data + (c->cmsg_len - CMSG_LEN(0)));
    }
  }
}

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
  socket.assign(IcmpProtocol(family, mode_), std::exchange(fd_, -1));
  return socket;
}

std::optional<OpenedSocket> open_icmp_socket(icmp::Family family, std::vector<SocketAttempt>& attempts,
                                             bool raw_only) {
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

std::optional<std::uint16_t> configure_socket(IcmpSocket& socket, icmp::Family family,
                                              SocketMode mode, const SocketSettings& settings,
                                              std::uint16_t raw_identifier, std::string& error) {
  const int fd = socket.native_handle();
  const int on = 1;
  const auto fail = [&error](std::string_view what) {
    error = failure(what, errno);
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
    // The options of each reply (-R / -T dumps) come as a control message on datagram sockets.
    if (mode == SocketMode::datagram) set_option(fd, IPPROTO_IP, IP_RETOPTS, on);
    if (settings.tos && *settings.tos != 0 && !set_option(fd, IPPROTO_IP, IP_TOS, *settings.tos)) {
      return fail("setsockopt");
    }
    if (settings.pmtu && !set_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, *settings.pmtu)) {
      return fail("IP_MTU_DISCOVER");
    }
    if (!settings.ip_options.empty() &&
        setsockopt(fd, IPPROTO_IP, IP_OPTIONS, settings.ip_options.data(),
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
      if (!set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, *settings.ttl)) return fail("cannot set multicast time-to-live");
      if (!set_option(fd, IPPROTO_IP, IP_TTL, *settings.ttl)) return fail("cannot set unicast time-to-live");
    }
  } else {
    set_option(fd, IPPROTO_IPV6, IPV6_RECVERR, on);
    set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on);
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
      if (!set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, *settings.ttl)) return fail("can't set multicast hop limit");
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
      return fail("SO_BINDTODEVICE " + settings.interface);
    }
  }

  if (mode == SocketMode::raw) {
    if (settings.source && bind(fd, settings.source->get(), settings.source->length) != 0) {
      return fail("bind");
    }
    return raw_identifier;
  }
  // A datagram socket's identifier is its local "port": binding port 0 makes the kernel pick
  // a free one now, so the identifier is known before the first probe; -e binds that port.
  SocketAddress local = settings.source ? *settings.source : any_address(family);
  const std::uint16_t wanted_port = htons(settings.identifier.value_or(0));
  if (family == icmp::Family::v4) reinterpret_cast<sockaddr_in*>(&local.storage)->sin_port = wanted_port;
  else reinterpret_cast<sockaddr_in6*>(&local.storage)->sin6_port = wanted_port;
  if (bind(fd, local.get(), local.length) != 0) return fail("bind");
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) {
    return fail("getsockname");
  }
  return bound_port(bound);
}

namespace {

// The header of one receive: a single buffer, the peer's address and room for control messages.
msghdr receive_header(SocketAddress& peer, iovec& buffer, std::span<char> control) noexcept {
  msghdr msg{};
  msg.msg_name = &peer.storage;
  msg.msg_namelen = sizeof peer.storage;
  msg.msg_iov = &buffer;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  return msg;
}

// What a failed non-blocking receive means: nothing waiting, or a real error (errno kept).
ReceiveStatus failed_receive() noexcept {
  return errno == EAGAIN || errno == EWOULDBLOCK ? ReceiveStatus::empty : ReceiveStatus::failed;
}

}  // namespace

ReceiveStatus receive_datagram(int fd, std::span<std::uint8_t> buffer, Datagram& out) noexcept {
  alignas(cmsghdr) std::array<char, kControlSize> control;  // only what the kernel wrote (msg_controllen) is read
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg = receive_header(out.from, iov, control);
  const ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) return failed_receive();
  out.length = static_cast<std::size_t>(n);
  out.from.length = msg.msg_namelen;
  read_control_messages(msg, out);
  return ReceiveStatus::received;
}

std::optional<LinkedSend> send_then_receive(SendReceiveRing& ring, int fd, std::span<const std::uint8_t> packet,
                                           const SocketAddress& to, std::span<std::uint8_t> buffer,
                                           Datagram& out) noexcept {
  iovec request_iov{const_cast<std::uint8_t*>(packet.data()), packet.size()};
  msghdr request{};
  request.msg_name = const_cast<sockaddr*>(to.get());
  request.msg_namelen = to.length;
  request.msg_iov = &request_iov;
  request.msg_iovlen = 1;

  alignas(cmsghdr) std::array<char, kControlSize> control;  // only what the kernel wrote (msg_controllen) is read
  iovec reply_iov{buffer.data(), buffer.size()};
  msghdr reply = receive_header(out.from, reply_iov, control);

  const auto outcome = ring.send_then_receive(fd, request, reply);
  if (!outcome) return std::nullopt;
  LinkedSend result;
  result.ring_unusable = outcome->ring_unusable;
  result.send_error = outcome->sent < 0 ? -outcome->sent : 0;
  if (outcome->received >= 0) {
    result.received = ReceiveStatus::received;
    out.length = static_cast<std::size_t>(outcome->received);
    out.from.length = reply.msg_namelen;
    read_control_messages(reply, out);
  } else if (outcome->received == -EAGAIN || outcome->received == -EWOULDBLOCK || outcome->received == -ECANCELED) {
    result.received = ReceiveStatus::empty;  // nothing waiting, or nothing asked for after a failed send
  } else {
    result.received = ReceiveStatus::failed;
    errno = -outcome->received;
  }
  return result;
}

struct DatagramBatch::Storage {
  std::vector<std::uint8_t> buffers;
  std::vector<mmsghdr> headers;
  std::vector<iovec> vectors;
  struct alignas(cmsghdr) Control {
    std::array<char, kControlSize> bytes;
  };
  std::vector<Control> controls;
  std::vector<Datagram> datagrams;
};

DatagramBatch::DatagramBatch(std::size_t capacity, std::size_t datagram_size)
    : capacity_(capacity), datagram_size_(datagram_size), storage_(std::make_unique<Storage>()) {
  storage_->buffers.resize(capacity * datagram_size);
  storage_->headers.resize(capacity);
  storage_->vectors.resize(capacity);
  storage_->controls.resize(capacity);
  storage_->datagrams.resize(capacity);
}

DatagramBatch::~DatagramBatch() = default;

int DatagramBatch::receive(int fd) noexcept {
  Storage& s = *storage_;
  for (std::size_t i = 0; i < capacity_; ++i) {
    s.vectors[i] = {s.buffers.data() + i * datagram_size_, datagram_size_};
    s.headers[i].msg_hdr = receive_header(s.datagrams[i].from, s.vectors[i], s.controls[i].bytes);
    s.headers[i].msg_len = 0;
  }
  const int n = recvmmsg(fd, s.headers.data(), static_cast<unsigned>(capacity_), MSG_DONTWAIT, nullptr);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  for (int i = 0; i < n; ++i) {
    const auto index = static_cast<std::size_t>(i);
    Datagram& out = s.datagrams[index];
    out.length = std::min<std::size_t>(s.headers[index].msg_len, datagram_size_);
    out.from.length = s.headers[index].msg_hdr.msg_namelen;
    read_control_messages(s.headers[index].msg_hdr, out);
  }
  return n;
}

const Datagram& DatagramBatch::datagram(std::size_t index) const noexcept { return storage_->datagrams[index]; }

std::span<const std::uint8_t> DatagramBatch::bytes(std::size_t index) const noexcept {
  return {storage_->buffers.data() + index * datagram_size_, storage_->datagrams[index].length};
}

ReceiveStatus receive_queued_error(int fd, std::span<std::uint8_t> buffer, QueuedError& out) noexcept {
  alignas(cmsghdr) std::array<char, 512> control{};
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg = receive_header(out.destination, iov, control);
  const ssize_t n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
  if (n < 0) return failed_receive();
  out.length = static_cast<std::size_t>(n);
  out.destination.length = msg.msg_namelen;
  out.offender.reset();
  out.origin = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    const bool is_error = (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                          (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR);
    if (!is_error || c->cmsg_len < CMSG_LEN(sizeof(sock_extended_err))) continue;
    const auto ee = cmsg_value<sock_extended_err>(c);
    out.origin = ee.ee_origin;
    out.type = ee.ee_type;
    out.code = ee.ee_code;
    out.info = ee.ee_info;
    // The codec's `info` is the error header's second word as sent; for an IPv4 parameter
    // problem the kernel hands over the pointer already moved down from that word's top byte.
    if (ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == icmp::v4::kParameterProblem) out.info = ee.ee_info << 24;
    out.error = static_cast<int>(ee.ee_errno);
    // The offender's address follows the extended error inside the same control message.
    const std::size_t offender_room = c->cmsg_len - CMSG_LEN(sizeof(sock_extended_err));
    if (offender_room >= sizeof(sa_family_t)) {
      SocketAddress offender;
      const std::size_t copy = std::min(offender_room, sizeof offender.storage);
      std::memcpy(&offender.storage, CMSG_DATA(c) + sizeof(sock_extended_err), copy);
      if (offender.storage.ss_family == AF_INET || offender.storage.ss_family == AF_INET6) {
        offender.length = static_cast<socklen_t>(offender.storage.ss_family == AF_INET
                                                     ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
        if (copy >= offender.length) out.offender = offender;
      }
    }
  }
  return ReceiveStatus::received;
}

}  // namespace uping::net
