#pragma once
// uping's library API: ICMP echo probes to many targets over shared sockets, on the caller's own
// boost::asio::io_context. docs/library.md is the guide; this header is the reference.
//
// A Pinger owns the ICMP sockets (one per family, more datagram sockets when more than 65,536
// probes are in flight: each has its own identifier and sequence space), numbers the probes,
// matches replies and ICMP errors to the probe that caused them and times each probe out after
// its own timeout. What to send and when is the caller's business.
//
// It takes no signal, writes nothing to stdout or stderr and never exits the process. Network
// conditions are values (SendResult, OpenResult, events), never exceptions; only a failed memory
// allocation throws (std::bad_alloc), and an exception thrown by a handler propagates to the
// caller of whatever invoked it (io_context::run, send, receive_now).
//
// Threads: a Pinger belongs to the one thread that runs its io_context. Every member function
// must be called on that thread (or before the io_context runs); from elsewhere, post the call to
// the io_context. Handlers run on that thread only. Distinct Pingers are independent.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uping/address.hpp"
#include "uping/icmp.hpp"
#include "uping/socket_types.hpp"
#include "uping/stats.hpp"

namespace boost::asio {
class io_context;
}

namespace uping {

// The caller's identity of one probe (a target index and a probe number packed, a pointer...),
// handed back with every event about it.
using ProbeToken = std::uint64_t;

// An echo reply to a probe, from the host the probe went to.
struct Reply {
  ProbeToken token = 0;
  SocketAddress from;  // the replying host
  // Microseconds from uping's own clock reading just before the send to the kernel's receive
  // timestamp (the monotonic clock when the wall clock stepped); never from the payload.
  Micros rtt = 0;
  std::optional<int> ttl;      // TTL / hop limit of the reply, when the kernel reports it
  std::optional<int> tos;      // TOS / traffic class of the reply (PingerSettings::receive_tos)
  std::size_t icmp_bytes = 0;  // ICMP header and payload (iputils' "64 bytes from")
  bool duplicate = false;      // true only in on_duplicate: the probe was answered before
  bool after_error = false;    // an ICMP error settled this probe before (on_icmp_error was called):
                               // iputils counts the reply, but the probe was settled once already
};

// The probe got neither a reply nor an ICMP error within its timeout. A reply that comes later is
// not reported: the probe is lost.
struct Timeout {
  ProbeToken token = 0;
  SocketAddress to;  // the probe's destination (address only: no port, no scope)
};

// An ICMP error about a probe (destination unreachable, time exceeded, packet too big...).
struct IcmpError {
  ProbeToken token = 0;
  SocketAddress from;  // the router or host that reported it
  SocketAddress to;    // the probe's destination, as the error quotes it
  icmp::Family family = icmp::Family::v4;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;  // the header's second word: the MTU of "packet too big", a pointer...
};

// The kernel refused to send a probe (no route: ENETUNREACH; a link-local address without a
// scope: EINVAL; a broadcast address: EACCES...). Nothing left: no other event comes for it.
struct SendFailure {
  ProbeToken token = 0;
  SocketAddress to;
  int error = 0;  // errno
};

// What happened to probes. Each probe gets exactly one of on_reply, on_timeout, on_icmp_error or
// on_send_failure, once; on_duplicate may follow an on_reply (or an on_icmp_error) any number of
// times until the probe's sequence number is reused. A handler left empty drops its events.
//
// When they run: on the io_context's thread, from io_context::run() (and poll...), or from
// receive_now(); on_icmp_error also from send() (a datagram socket reports an earlier error as
// the failure of its next send, and that send reads it). on_send_failure is posted to the
// io_context, never called from inside send(). A handler may call send() and stop(); a send()
// made while another send() is running returns busy. A handler must not destroy the Pinger.
struct PingerHandlers {
  std::function<void(const Reply&)> on_reply;
  std::function<void(const Reply&)> on_duplicate;
  std::function<void(const Timeout&)> on_timeout;
  std::function<void(const IcmpError&)> on_icmp_error;
  std::function<void(const SendFailure&)> on_send_failure;
};

struct PingerSettings {
  std::size_t payload_size = 56;  // bytes after the ICMP header (iputils' -s)
  // The timeout of a probe sent without one of its own.
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  std::optional<int> ttl;  // TTL / hop limit of every probe (the system's default when empty)
  // More datagram sockets are opened as needed, 65,536 probes in flight each (raw sockets: one
  // per family, which needs the privileges it was opened with).
  std::size_t max_sockets_per_family = 16;
  std::optional<int> receive_buffer_bytes;  // SO_RCVBUF (the kernel caps it at net.core.rmem_max)
  std::optional<int> tos;                   // IP_TOS / IPV6_TCLASS of every probe (0 leaves the default)
  // SO_MARK of every socket (needs CAP_NET_ADMIN, or CAP_NET_RAW since Linux 5.17); a refusal
  // leaves the socket open and unmarked, and OpenResult::mark_error says why.
  std::optional<std::uint32_t> mark;
  std::string interface;                      // SO_BINDTODEVICE: only this device (empty: any)
  std::optional<SocketAddress> source_v4;     // the IPv4 source address probes leave from
  std::optional<SocketAddress> source_v6;     // the IPv6 one
  bool dont_fragment = false;                 // IP_PMTUDISC_DO / IPV6_PMTUDISC_DO: never fragment
  std::vector<std::uint8_t> payload_pattern;  // repeated over the payload (empty: 0, 1, 2...)
  bool receive_tos = false;                   // fill Reply::tos (IP_RECVTOS / IPV6_RECVTCLASS)
};

// What kept an opened socket from taking PingerSettings (the socket is then closed).
enum class OpenFailure : std::uint8_t {
  none,
  socket_option,  // TTL, TOS, don't-fragment...: a setsockopt the kernel refused
  interface,      // PingerSettings::interface (SO_BINDTODEVICE): no such device, or not permitted
  bind,           // PingerSettings::source_v4 / source_v6 not local, or no identifier left (datagram)
};

// The outcome of opening a family's first socket: the mode it got, and every attempt made (for
// explain_open_failure when none succeeded).
struct OpenResult {
  std::optional<SocketMode> mode;  // empty: no socket
  std::vector<SocketAttempt> attempts;
  // A socket was opened but the settings could not be applied to it ("SO_BINDTODEVICE eth9: No
  // such device", "bind: Cannot assign requested address"); `failure` says which setting, for the
  // caller's own message, and `error_number` is the errno.
  std::string error;
  OpenFailure failure = OpenFailure::none;
  int error_number = 0;
  int mark_error = 0;  // errno of a refused SO_MARK (the socket is open, unmarked)
  explicit operator bool() const noexcept { return mode.has_value(); }
};

enum class SendStatus : std::uint8_t {
  sent,    // on its way: a reply, an ICMP error or its timeout will settle it
  busy,    // could not leave now (every sequence in flight and no socket may be added, or the
           // socket's buffer is full); nothing happened, try again later
  failed,  // the kernel refused it; `error` says why (on_send_failure follows, if set)
};

struct SendResult {
  SendStatus status = SendStatus::sent;
  int error = 0;  // errno when failed
};

class Pinger {
 public:
  // Opens nothing yet. The io_context must outlive the Pinger.
  Pinger(boost::asio::io_context& io, PingerSettings settings, PingerHandlers handlers);
  ~Pinger();
  Pinger(const Pinger&) = delete;
  Pinger& operator=(const Pinger&) = delete;

  // Opens the family's first socket with iputils' policy: an ICMP datagram socket first, which
  // needs no privilege (only membership of net.ipv4.ping_group_range); a raw socket only when the
  // datagram one is refused for a reason a raw one overcomes (CAP_NET_RAW is then raised into the
  // effective set if permitted). Call it before dropping privileges. Opening a family already
  // open does nothing and returns its mode.
  OpenResult open(icmp::Family family);
  std::optional<SocketMode> mode(icmp::Family family) const;

  // Sends one echo request to `to` (a family opened before), settled by its own `timeout`, or by
  // the settings' timeout.
  SendResult send(const SocketAddress& to, ProbeToken token);
  SendResult send(const SocketAddress& to, ProbeToken token, std::chrono::nanoseconds timeout);

  // Reads and dispatches whatever the sockets hold now, without waiting for the event loop: a
  // fast sender calls it between batches so that replies never pile up in the kernel's buffer.
  // Returns the number of datagrams and queued errors handled.
  std::size_t receive_now();

  std::size_t in_flight() const noexcept;
  std::size_t sockets() const noexcept;
  // Datagrams the kernel dropped on our sockets because their receive buffers were full.
  std::uint64_t kernel_drops() const noexcept;
  // Stops every wait; no handler is invoked any more, and the Pinger's work leaves the io_context
  // (run() returns once the caller's own work is done). Sockets stay open until destruction.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// What the command line says when no socket could be opened: the attempts, the sysctl, the
// caller's ids and capabilities, and the fix that fits (several lines, each starting with
// "<program>: "). Reads /proc and the process's ids; prints nothing.
std::string explain_open_failure(const std::vector<SocketAttempt>& attempts, std::string_view program = "uping");

// A numeric IPv4 or IPv6 address ("192.0.2.1", "2001:db8::1", "fe80::1%eth0"); empty when `text`
// is not one. Never asks a name server.
std::optional<SocketAddress> parse_address(const std::string& text);
// The numeric form of an address ("192.0.2.1", "2001:db8::1").
std::string to_string(const SocketAddress& address);

}  // namespace uping
