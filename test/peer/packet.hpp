#pragma once
// IPv4 / IPv6 and ICMP / ICMPv6 encoding and decoding for the test peer.
//
// Written apart from uping's own codec (include/uping/icmp.hpp) on purpose: the peer is the ground
// truth uping is judged against, and a second, independent implementation catches mistakes a shared
// one would hide (a wrong checksum on both sides agrees with itself). Headers are read and written
// byte by byte in network order; every length is checked against the buffer.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace peer {

enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

using Bytes = std::span<const std::uint8_t>;
using Address = std::array<std::uint8_t, 16>;  // IPv4 uses the first 4 bytes

inline constexpr std::size_t kIpv4HeaderSize = 20;  // what the peer writes: never options
inline constexpr std::size_t kIpv6HeaderSize = 40;
inline constexpr std::size_t kIcmpHeaderSize = 8;
inline constexpr std::size_t kMaxPacketSize = 65535;  // IPv4 total length / IPv6 payload length limit

namespace icmp4 {
inline constexpr std::uint8_t kEchoReply = 0;
inline constexpr std::uint8_t kDestinationUnreachable = 3;
inline constexpr std::uint8_t kEchoRequest = 8;
inline constexpr std::uint8_t kTimeExceeded = 11;
}  // namespace icmp4

namespace icmp6 {
inline constexpr std::uint8_t kDestinationUnreachable = 1;
inline constexpr std::uint8_t kPacketTooBig = 2;
inline constexpr std::uint8_t kTimeExceeded = 3;
inline constexpr std::uint8_t kEchoRequest = 128;
inline constexpr std::uint8_t kEchoReply = 129;
}  // namespace icmp6

// The only destinations the peer answers for, and the address its errors come from.
bool is_peer_target(Family family, const Address& destination) noexcept;
Address router_address(Family family) noexcept;  // 203.0.113.254 / 2001:db8:feed::fe

// An echo request read from the TUN device. The spans point into the buffer that was parsed.
struct EchoRequest {
  Family family = Family::v4;
  Address source{};
  Address destination{};
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  std::size_t icmp_length = 0;  // ICMP header + payload
  Bytes payload;
  Bytes datagram;  // the whole IP datagram, as an ICMP error quotes it
};

// Empty unless `packet` is a well-formed, unfragmented echo request with correct checksums
// (IPv4 header, ICMP, ICMPv6 with its pseudo-header) and an IPv6 packet without extension headers.
std::optional<EchoRequest> parse_echo_request(Bytes packet) noexcept;

// RFC 1071 checksum as stored on the wire, over `data` added to a running 32-bit sum.
std::uint16_t internet_checksum(Bytes data, std::uint64_t initial_sum = 0) noexcept;

// An ICMP message to send: the header's second word is `rest` (identifier << 16 | sequence for
// echo messages, the MTU or 0 for errors), followed by `body`.
struct IcmpMessage {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t rest = 0;
  std::vector<std::uint8_t> body;
};

// A complete IP packet carrying `message`, with every checksum computed (the ICMPv6 one over the
// pseudo-header), or the ICMP checksum deliberately wrong when `corrupt_checksum`. Empty when the
// result would exceed kMaxPacketSize.
std::vector<std::uint8_t> build_packet(Family family, const Address& source, const Address& destination,
                                       std::uint8_t ttl, const IcmpMessage& message, bool corrupt_checksum);

}  // namespace peer
