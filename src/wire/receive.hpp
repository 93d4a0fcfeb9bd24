#pragma once
// Non-blocking receives on an ICMP socket, with what the control messages say (TTL / hop limit,
// kernel receive timestamps, drops) and the error queue. Used by the wire layer alone.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "uping/address.hpp"
#include "uping/stats.hpp"

namespace uping::net {

// One received datagram and what its control messages said.
struct Datagram {
  std::size_t length = 0;
  SocketAddress from;
  std::optional<int> ttl;
  std::optional<std::chrono::nanoseconds> kernel_time;  // CLOCK_REALTIME
  std::vector<std::uint8_t> ip_options;  // IPv4 options of the reply (IP_RETOPTS), datagram mode
  // SO_RXQ_OVFL: datagrams the kernel dropped on this socket so far (its receive buffer was full).
  std::optional<std::uint32_t> kernel_drops;
};

// Receives up to `capacity` datagrams with one recvmmsg(2), each into its own buffer of
// `datagram_size` bytes (longer ones are truncated).
class DatagramBatch {
 public:
  DatagramBatch(std::size_t capacity, std::size_t datagram_size);
  DatagramBatch(const DatagramBatch&) = delete;
  DatagramBatch& operator=(const DatagramBatch&) = delete;
  ~DatagramBatch();

  // Receives up to `wanted` datagrams (at most the capacity): their number (0 when none was
  // waiting), or -1 with errno set.
  int receive(int fd, std::size_t wanted) noexcept;
  std::size_t capacity() const noexcept { return capacity_; }
  const Datagram& datagram(std::size_t index) const noexcept;
  std::span<const std::uint8_t> bytes(std::size_t index) const noexcept;

 private:
  struct Storage;
  std::size_t capacity_;
  std::size_t datagram_size_;
  std::unique_ptr<Storage> storage_;
};

// An entry of the socket's error queue: what the kernel reported about one of our packets.
struct QueuedError {
  std::size_t length = 0;     // bytes of our original packet copied into the buffer
  std::uint8_t origin = 0;    // SO_EE_ORIGIN_*
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;
  int error = 0;              // ee_errno
  std::optional<SocketAddress> offender;  // the router or host that sent the ICMP error
  SocketAddress destination;  // where our packet was going
};

enum class ReceiveStatus : std::uint8_t { received, empty, failed };

// Room for the largest datagram (65,535 bytes and an IPv4 header), left uninitialised: only what
// the kernel writes into it is ever read, and zeroing 64 KiB up front would make all of it
// resident for a run that receives one 64-byte reply.
class ReceiveBuffer {
 public:
  static constexpr std::size_t kSize = 60 + 65535;
  ReceiveBuffer() : bytes_(new std::uint8_t[kSize]) {}
  std::uint8_t* data() noexcept { return bytes_.get(); }
  static constexpr std::size_t size() noexcept { return kSize; }
  operator std::span<std::uint8_t>() noexcept { return {bytes_.get(), kSize}; }

 private:
  std::unique_ptr<std::uint8_t[]> bytes_;
};

// Non-blocking receives; `failed` leaves errno set.
ReceiveStatus receive_datagram(int fd, std::span<std::uint8_t> buffer, Datagram& out) noexcept;
ReceiveStatus receive_queued_error(int fd, std::span<std::uint8_t> buffer, QueuedError& out) noexcept;

class SendReceiveRing;  // uping/send_receive_ring.hpp

// What a send made through a SendReceiveRing did, and the receive that followed it.
struct LinkedSend {
  int send_error = 0;  // the send's errno; 0 when the packet left
  ReceiveStatus received = ReceiveStatus::empty;  // as receive_datagram() would have said it; `failed` leaves errno set
  bool ring_unusable = false;                     // see SendReceiveRing::Outcome
};

// sendto(fd, packet, MSG_DONTWAIT, to) and then receive_datagram(fd, buffer, out), in one system
// call. Empty when the ring could not take the requests: nothing was sent.
std::optional<LinkedSend> send_then_receive(SendReceiveRing& ring, int fd, std::span<const std::uint8_t> packet,
                                           const SocketAddress& to, std::span<std::uint8_t> buffer,
                                           Datagram& out) noexcept;

inline constexpr std::uint8_t kOriginLocal = 1;  // SO_EE_ORIGIN_LOCAL
inline constexpr std::uint8_t kOriginIcmp = 2;
inline constexpr std::uint8_t kOriginIcmp6 = 3;

}  // namespace uping::net
