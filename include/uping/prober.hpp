#pragma once
// Many targets at once: the probe engine under health checks and sweeps. It owns the ICMP
// sockets (several per family when more than 65,536 probes are in flight: each datagram socket
// has its own identifier), hands out sequence numbers, matches replies and errors to the probe
// that caused them, and reports timeouts. What to send and when is the caller's business.
// Asio stays behind this header (pimpl).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uping/address.hpp"
#include "uping/icmp.hpp"
#include "uping/socket_types.hpp"
#include "uping/stats.hpp"

namespace boost::asio {
class io_context;
}

namespace uping {

// Caller-chosen identity of one probe (typically target index and probe number packed).
using ProbeToken = std::uint64_t;

struct ProbeReply {
  ProbeToken token = 0;
  Micros rtt = 0;
  std::optional<int> ttl;
  std::size_t icmp_bytes = 0;
  bool duplicate = false;     // this probe was answered before
};
// A reply that arrives after its probe timed out is not reported: the probe counts as lost.

struct ProbeError {
  ProbeToken token = 0;
  SocketAddress from;         // the router or host that reported it
  icmp::Family family = icmp::Family::v4;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;
};

struct ProberEvents {
  std::function<void(const ProbeReply&)> on_reply;
  std::function<void(const ProbeError&)> on_error;
  std::function<void(ProbeToken)> on_timeout;   // no reply nor error within the probe timeout
};

struct ProberSettings {
  std::size_t payload_size = 56;
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  std::optional<int> ttl;
  std::size_t max_sockets_per_family = 16;  // 16 × 65,536 probes in flight at most
  std::optional<int> receive_buffer_bytes;  // SO_RCVBUF (capped by net.core.rmem_max)
};

class Prober {
 public:
  Prober(boost::asio::io_context& io, ProberSettings settings, ProberEvents events);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Opens the first socket of a family (datagram first, raw fallback as iputils). Every attempt
  // is appended to `attempts`. Call before dropping privileges.
  bool open(icmp::Family family, std::vector<SocketAttempt>& attempts);
  std::optional<SocketMode> mode(icmp::Family family) const;

  // Sends one echo request.
  //   sent:   on its way; a reply, an error or its timeout will settle it.
  //   busy:   could not leave now (every sequence slot busy and no further socket may be opened,
  //           or the socket buffer full); retry later.
  //   failed: the kernel refused it (no route: ENETUNREACH, a link-local address without scope:
  //           EINVAL, a broadcast: EACCES...); last_send_error() says why. It is not in flight:
  //           no event will ever come for it.
  enum class SendResult : std::uint8_t { sent, busy, failed };
  SendResult send(const SocketAddress& to, ProbeToken token);
  // The errno of the last send that failed.
  int last_send_error() const noexcept;

  // Reads and dispatches whatever the sockets hold now, without waiting for the event loop: a
  // fast sender calls it between batches so that replies never pile up in the kernel's buffer.
  // Returns the number of datagrams and queued errors handled.
  std::size_t receive_now();

  std::size_t in_flight() const noexcept;
  std::size_t sockets() const noexcept;
  // Datagrams the kernel dropped on our sockets because their receive buffers were full.
  std::uint64_t kernel_drops() const noexcept;
  // Stops every wait; pending callbacks are not invoked any more.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uping
