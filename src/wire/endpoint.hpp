#pragma once
// The one wire layer: an ICMP socket on Asio that encodes and sends echo requests, receives and
// decodes what comes back (in batches where that helps), reads the error queue, keeps other
// processes' traffic out of a raw socket, and hands each event up with its times. What an event
// means (a late reply, a duplicate, an error for a probe long gone) is the face's business.

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "uping/address.hpp"
#include "uping/icmp.hpp"
#include "uping/socket_types.hpp"
#include "wire/receive.hpp"
#include "wire/socket.hpp"

namespace uping::net {

// An echo reply to this socket's identifier. The views are valid during the call only.
struct WireReply {
  icmp::EchoHeader header;
  icmp::Bytes payload;
  std::size_t icmp_bytes = 0;  // ICMP header and payload: the "<n> bytes from" figure
  bool checksum_ok = true;     // false only for a raw IPv4 socket, the one kind the kernel does not check
  std::optional<int> ttl;      // from the IPv4 header (raw) or the control message
  std::optional<int> tos;      // likewise (datagram: only when the socket asked for it)
  const SocketAddress* from = nullptr;
  std::optional<std::chrono::nanoseconds> kernel_time;  // CLOCK_REALTIME receive stamp, when the socket takes them
  icmp::Bytes ip_options;  // IPv4 options of the reply (raw header, or IP_RETOPTS on a datagram socket)
};

// An ICMP error about one of this socket's echo requests, from a raw socket's packet or a
// datagram socket's error queue alike.
struct WireError {
  std::uint16_t sequence = 0;  // of the request it quotes
  SocketAddress destination;   // where that request was going (no scope id)
  SocketAddress reporter;      // the router or host that sent the error
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;  // see icmp::ErrorReport
};

// A local error the kernel queued about one of our packets (SO_EE_ORIGIN_LOCAL: EMSGSIZE with the
// path MTU in `info`, for instance).
struct LocalError {
  int error = 0;
  std::uint32_t info = 0;
};

// Receives the endpoint's events. Every call happens inside Endpoint::send or Endpoint::receive.
class EventSink {
 public:
  virtual void on_reply(const WireReply& reply) = 0;
  virtual void on_error(const WireError& error) = 0;
  virtual void on_local_error(const LocalError&) {}
  // A receive failed with `error` and the error queue held nothing to explain it.
  virtual void on_receive_error(int /*error*/) {}
  // Checked between events: false stops a receive loop early (the run is over).
  virtual bool wants_more() const { return true; }

 protected:
  ~EventSink() = default;
};

// How much one receive takes: a datagram's room (longer ones are truncated) and the datagrams
// per system call (1: recvmsg; more: recvmmsg).
struct ReceiveRoom {
  std::size_t datagram_bytes = 0;
  std::size_t batch = 1;
};
// Room for replies and ICMP errors about requests of `payload_size`, in batches of up to 64
// (at most 1 MiB in all).
ReceiveRoom batch_room_for(std::size_t payload_size);
// Room for the largest datagram (65,535 bytes and an IPv4 header), one at a time (recvmsg):
// replies of any size are read whole.
ReceiveRoom whole_datagram_room() noexcept;

class Endpoint {
 public:
  // `socket` is open and configured (configure_socket); `identifier` is what that returned.
  Endpoint(boost::asio::io_context& io, OpenedSocket socket, icmp::Family family, std::uint16_t identifier,
           std::size_t payload_size, ReceiveRoom room);
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  int fd() const noexcept { return fd_; }
  icmp::Family family() const noexcept { return family_; }
  SocketMode mode() const noexcept { return mode_; }
  std::uint16_t identifier() const noexcept { return identifier_; }

  struct SendOutcome {
    int error = 0;          // errno of the send; 0 when the request left
    int queued_errors = 0;  // error-queue entries read because of it (their events went to the sink)
    // The socket's or the device's buffer was full (EAGAIN, ENOBUFS, ENOMEM): the request did not
    // leave and may be sent again later; the error queue was not read.
    bool buffer_full() const noexcept;
  };
  // Encodes an echo request with this socket's identifier, `sequence` and `payload` (at most the
  // payload size given at construction) and sends it to `to` without waiting. A send can fail
  // with the errno an earlier ICMP error left pending on the socket: for any failure other than
  // a full buffer the error queue is read first, and `queued_errors` says whether it explained it.
  SendOutcome send(const SocketAddress& to, std::uint16_t sequence, icmp::Bytes payload, EventSink& sink);

  struct Received {
    std::size_t datagrams = 0;
    std::size_t queued_errors = 0;
    // The socket ran empty (or failed). When false, datagrams may still be waiting and a new
    // wait would not see them: Asio's epoll is edge-triggered, so come back without waiting.
    bool drained = false;
  };
  // Takes up to `limit` datagrams that are waiting now, without blocking, and hands their events
  // to `sink`; reads the error queue when the socket ran empty or a receive failed. A receive
  // asked for from inside one of its own events takes nothing (the batch being handed out would
  // be overwritten).
  Received receive(EventSink& sink, std::size_t limit);

  // Waits for the socket to be readable or to have a queued error (EPOLLERR completes it too).
  template <typename Handler>
  void async_wait_readable(Handler&& handler) {
    socket_.async_wait(IcmpSocket::wait_read, std::forward<Handler>(handler));
  }
  void cancel() noexcept;
  // Datagrams the kernel dropped on this socket because its receive buffer was full (SO_RXQ_OVFL).
  std::uint32_t kernel_drops() const noexcept { return kernel_drops_; }

 private:
  void dispatch(const Datagram& datagram, icmp::Bytes bytes, EventSink& sink);
  std::size_t drain_error_queue(EventSink& sink);

  IcmpSocket socket_;
  int fd_;
  icmp::Family family_;
  SocketMode mode_;
  std::uint16_t identifier_;
  std::vector<std::uint8_t> request_;
  DatagramBatch batch_;
  std::uint32_t kernel_drops_ = 0;
  bool receiving_ = false;
};

}  // namespace uping::net
