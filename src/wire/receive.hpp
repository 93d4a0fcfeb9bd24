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
  std::optional<int> tos;  // IP_TOS / IPV6_TCLASS control message (asked for with SocketSettings::receive_tos)
  std::optional<std::chrono::nanoseconds> kernel_time;  // CLOCK_REALTIME
  std::vector<std::uint8_t> ip_options;                 // IPv4 options of the reply (IP_RETOPTS), datagram mode
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
  std::size_t length = 0;   // bytes of our original packet copied into the buffer
  std::uint8_t origin = 0;  // SO_EE_ORIGIN_*
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;
  int error = 0;                          // ee_errno
  std::optional<SocketAddress> offender;  // the router or host that sent the ICMP error
  SocketAddress destination;              // where our packet was going
};

enum class ReceiveStatus : std::uint8_t { received, empty, failed };

// Non-blocking receive from the error queue; `failed` leaves errno set.
ReceiveStatus receive_queued_error(int fd, std::span<std::uint8_t> buffer, QueuedError& out) noexcept;

inline constexpr std::uint8_t kOriginLocal = 1;  // SO_EE_ORIGIN_LOCAL
inline constexpr std::uint8_t kOriginIcmp = 2;
inline constexpr std::uint8_t kOriginIcmp6 = 3;

}  // namespace uping::net
