#include "wire/receive.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace uping::net {
namespace {

// Control messages are read with memcpy: CMSG_DATA is not aligned for every type.
template <typename T>
T cmsg_value(const cmsghdr* cmsg) noexcept {
  T value{};
  std::memcpy(&value, CMSG_DATA(cmsg), sizeof value);
  return value;
}

// Room for a timestamp, a TTL and a drop counter, with headroom.
constexpr std::size_t kControlSize = 256;

void read_control_messages(msghdr& msg, Datagram& out) noexcept {
  out.ttl.reset();
  out.tos.reset();
  out.kernel_time.reset();
  out.kernel_drops.reset();
  out.ip_options.clear();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
      const auto ts = cmsg_value<timespec>(c);
      out.kernel_time = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
               c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
      out.kernel_drops = cmsg_value<std::uint32_t>(c);
    } else if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) &&
               c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      out.ttl = cmsg_value<int>(c);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS && c->cmsg_len >= CMSG_LEN(1)) {
      out.tos = cmsg_value<std::uint8_t>(c);  // one byte, unlike IPV6_TCLASS
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      out.tos = cmsg_value<int>(c);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RETOPTS && c->cmsg_len > CMSG_LEN(0)) {
      const auto* data = reinterpret_cast<const std::uint8_t*>(CMSG_DATA(c));
      out.ip_options.assign(data, data + (c->cmsg_len - CMSG_LEN(0)));
    }
  }
}

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

struct DatagramBatch::Storage {
  // Left uninitialised: only what the kernel writes is ever read, and a 64 KiB buffer for the
  // largest reply costs resident memory only for the bytes that arrive.
  std::unique_ptr<std::uint8_t[]> buffers;
  std::vector<mmsghdr> headers;
  std::vector<iovec> vectors;
  struct alignas(cmsghdr) Control {
    std::array<char, kControlSize> bytes;
  };
  std::vector<Control> controls;
  std::vector<Datagram> datagrams;
};

DatagramBatch::DatagramBatch(std::size_t capacity, std::size_t datagram_size)
    : capacity_(std::max<std::size_t>(capacity, 1)),
      datagram_size_(datagram_size),
      storage_(std::make_unique<Storage>()) {
  storage_->buffers.reset(new std::uint8_t[capacity_ * datagram_size]);
  storage_->headers.resize(capacity_);
  storage_->vectors.resize(capacity_);
  storage_->controls.resize(capacity_);
  storage_->datagrams.resize(capacity_);
}

DatagramBatch::~DatagramBatch() = default;

int DatagramBatch::receive(int fd, std::size_t wanted) noexcept {
  Storage& s = *storage_;
  const std::size_t count = std::clamp<std::size_t>(wanted, 1, capacity_);
  for (std::size_t i = 0; i < count; ++i) {
    s.vectors[i] = {s.buffers.get() + i * datagram_size_, datagram_size_};
    s.headers[i].msg_hdr = receive_header(s.datagrams[i].from, s.vectors[i], s.controls[i].bytes);
    s.headers[i].msg_len = 0;
  }
  int n = 0;
  if (count == 1) {
    // One at a time (a flood's inline rounds): recvmsg costs less than a recvmmsg of one.
    const ssize_t length = recvmsg(fd, &s.headers[0].msg_hdr, MSG_DONTWAIT);
    if (length >= 0) s.headers[0].msg_len = static_cast<unsigned>(length);
    n = length < 0 ? -1 : 1;
  } else {
    n = recvmmsg(fd, s.headers.data(), static_cast<unsigned>(count), MSG_DONTWAIT, nullptr);
  }
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
  return {storage_->buffers.get() + index * datagram_size_, storage_->datagrams[index].length};
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
        offender.length = static_cast<socklen_t>(offender.storage.ss_family == AF_INET ? sizeof(sockaddr_in)
                                                                                       : sizeof(sockaddr_in6));
        if (copy >= offender.length) out.offender = offender;
      }
    }
  }
  return ReceiveStatus::received;
}

}  // namespace uping::net
