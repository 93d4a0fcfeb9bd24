#include "wire/send_receive_ring.hpp"

#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "wire/receive.hpp"
#include "wire/socket.hpp"

using uping::net::SendReceiveRing;

namespace {

// Whether this kernel (and seccomp profile, and sysctl) lets a process set up an io_uring at all.
bool kernel_allows_io_uring() {
  io_uring_params params{};
  const long fd = ::syscall(__NR_io_uring_setup, 2, &params);
  if (fd < 0) return false;
  ::close(static_cast<int>(fd));
  return true;
}

struct DatagramPair {
  int near = -1;  // the socket the ring sends and receives on
  int far = -1;   // its peer
  DatagramPair() {
    std::array<int, 2> fds{};
    REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds.data()) == 0);
    near = fds[0];
    far = fds[1];
  }
  ~DatagramPair() {
    ::close(near);
    ::close(far);
  }
  DatagramPair(const DatagramPair&) = delete;
  DatagramPair& operator=(const DatagramPair&) = delete;
};

// One send and one receive buffer, wired into the message headers the ring takes.
struct Exchange {
  std::string outgoing;
  std::array<char, 256> incoming{};
  iovec send_iov{};
  iovec receive_iov{};
  msghdr request{};
  msghdr reply{};

  explicit Exchange(std::string text) : outgoing(std::move(text)) {
    send_iov = {outgoing.data(), outgoing.size()};
    receive_iov = {incoming.data(), incoming.size()};
    request.msg_iov = &send_iov;
    request.msg_iovlen = 1;
    reply.msg_iov = &receive_iov;
    reply.msg_iovlen = 1;
  }
  std::string_view received(int length) const { return {incoming.data(), static_cast<std::size_t>(length)}; }
};

std::string read_from(int fd) {
  std::array<char, 256> buffer{};
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
  return n < 0 ? std::string("<errno ") + std::to_string(errno) + ">" : std::string(buffer.data(), static_cast<std::size_t>(n));
}

// A UDP socket bound to 127.0.0.1 on a port the kernel picks; `address` receives where it is.
int loopback_udp_socket(uping::SocketAddress& address) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  address = {};
  auto* sin = reinterpret_cast<sockaddr_in*>(&address.storage);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.length = sizeof(sockaddr_in);
  REQUIRE(::bind(fd, address.get(), address.length) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &address.length) == 0);
  return fd;
}

}  // namespace

TEST_CASE("SendReceiveRing: open() agrees with what the kernel allows", "[ring]") {
  const bool allowed = kernel_allows_io_uring();
  const auto ring = SendReceiveRing::open();
  if (!allowed) {
    WARN("io_uring is refused here (kernel, seccomp or kernel.io_uring_disabled): only the refusal is tested");
    CHECK_FALSE(ring.has_value());
    return;
  }
  // Every kernel with io_uring that uping builds for (Linux 5.6 and later) has both operations.
  CHECK(ring.has_value());
}

TEST_CASE("SendReceiveRing: sends, and takes the datagram already waiting in the same call", "[ring]") {
  auto ring = SendReceiveRing::open();
  if (!ring) return;  // refusal covered above
  DatagramPair pair;
  REQUIRE(::send(pair.far, "pong", 4, 0) == 4);

  Exchange exchange("ping!");
  const auto outcome = ring->send_then_receive(pair.near, exchange.request, exchange.reply);
  REQUIRE(outcome.has_value());
  CHECK(outcome->sent == 5);
  REQUIRE(outcome->received == 4);
  CHECK(exchange.received(outcome->received) == "pong");
  CHECK_FALSE(outcome->ring_unusable);
  CHECK(read_from(pair.far) == "ping!");
}

TEST_CASE("SendReceiveRing: with nothing waiting the receive says EAGAIN instead of blocking", "[ring]") {
  auto ring = SendReceiveRing::open();
  if (!ring) return;
  DatagramPair pair;
  Exchange exchange("probe");
  const auto outcome = ring->send_then_receive(pair.near, exchange.request, exchange.reply);
  REQUIRE(outcome.has_value());
  CHECK(outcome->sent == 5);
  CHECK(outcome->received == -EAGAIN);
  CHECK_FALSE(outcome->ring_unusable);
  // The receive did not stay armed: a datagram arriving now is still the socket's to read.
  REQUIRE(::send(pair.far, "late", 4, 0) == 4);
  CHECK(read_from(pair.near) == "late");
}

TEST_CASE("SendReceiveRing: a failed send reports its errno and receives nothing", "[ring]") {
  auto ring = SendReceiveRing::open();
  if (!ring) return;
  DatagramPair pair;
  REQUIRE(::send(pair.far, "kept", 4, 0) == 4);
  // A datagram larger than the socket's send buffer can ever hold: EMSGSIZE.
  const int small = 4096;
  REQUIRE(::setsockopt(pair.near, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
  Exchange exchange(std::string(256 * 1024, 'x'));
  const auto outcome = ring->send_then_receive(pair.near, exchange.request, exchange.reply);
  REQUIRE(outcome.has_value());
  CHECK(outcome->sent == -EMSGSIZE);
  CHECK(outcome->received == -ECANCELED);
  // The waiting datagram was not consumed by the cancelled receive.
  CHECK(read_from(pair.near) == "kept");
}

TEST_CASE("SendReceiveRing: stays correct over many more rounds than it has entries", "[ring]") {
  auto ring = SendReceiveRing::open();
  if (!ring) return;
  DatagramPair pair;
  for (int round = 0; round < 1000; ++round) {
    const std::string answer = "answer " + std::to_string(round);
    REQUIRE(::send(pair.far, answer.data(), answer.size(), 0) == static_cast<ssize_t>(answer.size()));
    Exchange exchange("question " + std::to_string(round));
    const auto outcome = ring->send_then_receive(pair.near, exchange.request, exchange.reply);
    REQUIRE(outcome.has_value());
    REQUIRE(outcome->sent == static_cast<int>(exchange.outgoing.size()));
    REQUIRE(outcome->received == static_cast<int>(answer.size()));
    REQUIRE(exchange.received(outcome->received) == answer);
    REQUIRE(read_from(pair.far) == exchange.outgoing);
  }
}

TEST_CASE("send_then_receive: a datagram to itself on loopback comes back within the same call", "[ring]") {
  auto ring = SendReceiveRing::open();
  if (!ring) return;
  // A UDP socket sending to its own address is the loopback case of a ping flood: the datagram
  // is queued on the socket before the send returns.
  uping::SocketAddress self;
  const int fd = loopback_udp_socket(self);
  const int on = 1;
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0);

  const std::array<std::uint8_t, 5> packet{'e', 'c', 'h', 'o', '!'};
  std::vector<std::uint8_t> buffer(2048);
  uping::net::Datagram datagram;
  const auto linked = uping::net::send_then_receive(*ring, fd, packet, self, buffer, datagram);
  REQUIRE(linked.has_value());
  CHECK(linked->send_error == 0);
  REQUIRE(linked->received == uping::net::ReceiveStatus::received);
  REQUIRE(datagram.length == packet.size());
  CHECK(std::memcmp(buffer.data(), packet.data(), packet.size()) == 0);
  CHECK(datagram.kernel_time.has_value());
  REQUIRE(datagram.from.length == sizeof(sockaddr_in));
  CHECK(std::memcmp(&datagram.from.storage, &self.storage, sizeof(sockaddr_in)) == 0);

  // And with nothing sent back (a second socket as the destination), the receive finds nothing.
  uping::SocketAddress elsewhere;
  const int sink = loopback_udp_socket(elsewhere);
  const auto quiet = uping::net::send_then_receive(*ring, fd, packet, elsewhere, buffer, datagram);
  REQUIRE(quiet.has_value());
  CHECK(quiet->send_error == 0);
  CHECK(quiet->received == uping::net::ReceiveStatus::empty);
  ::close(sink);
  ::close(fd);
}
