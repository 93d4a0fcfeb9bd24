#pragma once
// Opening ICMP sockets: a protocol class for datagram ("ping") and raw ICMP sockets on Asio, the
// open policy iputils follows, the socket options uping needs, and the clocks read at a send or a
// receive. Part of the wire layer (src/wire); receiving is in receive.hpp, the endpoint that sends
// and receives on an opened socket in endpoint.hpp.

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/basic_datagram_socket.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/basic_endpoint.hpp>

#include "uping/address.hpp"
#include "uping/icmp.hpp"
#include "uping/socket_types.hpp"
#include "uping/stats.hpp"  // Instant

namespace uping::net {

// An Asio protocol whose socket type is chosen at run time, so that one socket class serves
// both modes. Asio's own ip::icmp is raw-only. v4() and v6() (required by basic_endpoint) give
// the datagram flavour; open sockets with an explicit IcmpProtocol(family, mode).
class IcmpProtocol {
 public:
  using endpoint = boost::asio::ip::basic_endpoint<IcmpProtocol>;
  using socket = boost::asio::basic_datagram_socket<IcmpProtocol>;

  IcmpProtocol(icmp::Family family, SocketMode mode) noexcept : family_(family), mode_(mode) {}
  static IcmpProtocol v4() noexcept { return {icmp::Family::v4, SocketMode::datagram}; }
  static IcmpProtocol v6() noexcept { return {icmp::Family::v6, SocketMode::datagram}; }

  int family() const noexcept { return family_ == icmp::Family::v4 ? AF_INET : AF_INET6; }
  int type() const noexcept {
    return mode_ == SocketMode::datagram ? static_cast<int>(SOCK_DGRAM) : static_cast<int>(SOCK_RAW);
  }
  int protocol() const noexcept {
    return family_ == icmp::Family::v4 ? static_cast<int>(IPPROTO_ICMP) : static_cast<int>(IPPROTO_ICMPV6);
  }
  SocketMode mode() const noexcept { return mode_; }

  friend bool operator==(const IcmpProtocol&, const IcmpProtocol&) = default;

 private:
  icmp::Family family_;
  SocketMode mode_;
};

using IcmpSocket = IcmpProtocol::socket;

// A socket descriptor owned until it is handed to Asio. Sockets are opened before the
// io_context exists, so that they get the low descriptor numbers iputils' -v output shows.
class OpenedSocket {
 public:
  OpenedSocket(int fd, SocketMode mode) noexcept : fd_(fd), mode_(mode) {}
  OpenedSocket(OpenedSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), mode_(other.mode_) {}
  OpenedSocket& operator=(OpenedSocket&& other) noexcept {
    std::swap(fd_, other.fd_);
    std::swap(mode_, other.mode_);
    return *this;
  }
  OpenedSocket(const OpenedSocket&) = delete;
  OpenedSocket& operator=(const OpenedSocket&) = delete;
  ~OpenedSocket();

  int fd() const noexcept { return fd_; }
  SocketMode mode() const noexcept { return mode_; }
  // Transfers ownership to an Asio socket of `io`. Throws boost::system::system_error when the
  // event loop cannot take it (epoll's limits); the descriptor is then still this object's.
  IcmpSocket into_asio(boost::asio::io_context& io, icmp::Family family);

 private:
  int fd_;
  SocketMode mode_;
};

// iputils' policy: a datagram socket first, even for root; a raw socket only when the datagram
// one is refused for a reason a raw socket can overcome, and only if CAP_NET_RAW can be had.
// Every attempt is appended to `attempts` for the diagnosis.
// `raw_only` (-e 0: the kernel gives datagram sockets a non-zero identifier) skips the datagram
// attempt.
std::optional<OpenedSocket> open_icmp_socket(icmp::Family family, std::vector<SocketAttempt>& attempts,
                                             bool raw_only = false);

struct SocketSettings {
  std::optional<int> ttl;
  std::string interface;                          // device name; empty for none
  std::optional<SocketAddress> source;            // -I with an address, or -B's chosen source
  std::optional<std::uint16_t> identifier;        // -e: the datagram socket is bound to it as its port
  std::optional<int> tos;                         // -Q (non-zero): IP_TOS / IPV6_TCLASS
  std::optional<int> pmtu;                        // -M: IP_PMTUDISC_* / IPV6_PMTUDISC_* value
  std::optional<int> sndbuf;                      // SO_SNDBUF
  int rcvbuf = 0;                                 // SO_RCVBUF wanted (0: leave the default)
  bool so_debug = false;                          // -d
  bool dont_route = false;                        // -r
  bool broadcast = false;                         // -b
  bool no_loop = false;                           // -L
  bool kernel_timestamps = true;                  // false with -U
  bool receive_tos = false;                       // TOS / traffic class of each reply (IP_RECVTOS / IPV6_RECVTCLASS)
  std::vector<std::uint8_t> ip_options;           // -R / -T: IP_OPTIONS bytes (IPv4)
  bool ip_options_timestamp = false;              // the options are -T's (its fallback and message)
  std::optional<std::uint32_t> flow_label;        // -F (IPv6)
  std::optional<SocketAddress> flow_destination;  // the destination the flow label is for
};

// Which step of configure_socket failed: a socket option, SO_BINDTODEVICE, or bind (the source
// address, or a datagram socket's identifier).
enum class ConfigureStep : std::uint8_t { option, interface, bind };
struct ConfigureFailure {
  int error_number = 0;
  ConfigureStep step = ConfigureStep::option;
};

// Options every uping socket needs: kernel timestamps, TTL / hop-limit reporting, the error
// queue; for raw sockets a filter that keeps other ICMP traffic out; then what `settings` asks.
// Returns the identifier the kernel assigned (datagram) or `raw_identifier`. On failure returns
// empty with `error` set to iputils' message for the user ("SO_BINDTODEVICE eth9: No such
// device", "bind: Address already in use") and `failure`, when given, to its errno and step.
std::optional<std::uint16_t> configure_socket(int fd, icmp::Family family, SocketMode mode,
                                              const SocketSettings& settings, std::uint16_t raw_identifier,
                                              std::string& error, ConfigureFailure* failure = nullptr);

// SO_MARK, which needs CAP_NET_ADMIN (or CAP_NET_RAW since Linux 5.17). Returns 0 or the errno.
int set_mark(int fd, std::uint32_t mark) noexcept;

// A datagram socket's kernel computes and verifies ICMP checksums; a raw IPv4 socket leaves both to us.
constexpr icmp::ChecksumBy checksum_by(SocketMode mode) noexcept {
  return mode == SocketMode::datagram ? icmp::ChecksumBy::kernel : icmp::ChecksumBy::uping;
}

// Both clocks, read together at a send or a receive: the wall clock is what the kernel's receive
// stamps use, the monotonic one guards against steps of it (see round_trip_micros).
Instant read_clocks() noexcept;
// The monotonic clock alone: at a receive whose wall-clock time the kernel stamped.
std::chrono::nanoseconds read_monotonic() noexcept;

}  // namespace uping::net
