#pragma once
// ICMP / ICMPv6 codec: building echo requests and decoding what a socket receives.
// Pure and I/O-free. Every length and offset is checked against the buffer: malformed input
// yields a `Malformed` value, never a read out of bounds. Headers are read byte by byte in network
// order, never through packed structs.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>

namespace uping::icmp {

enum class Family : std::uint8_t { v4, v6 };

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

inline constexpr std::size_t kHeaderSize = 8;  // type, code, checksum, identifier, sequence
inline constexpr std::size_t kIpv4MinHeaderSize = 20;
inline constexpr std::size_t kIpv6HeaderSize = 40;
inline constexpr std::size_t kTimestampSize = 16;  // a struct timeval, as iputils puts it first in the payload
inline constexpr std::uint8_t kProtocolIcmp = 1;
inline constexpr std::uint8_t kProtocolIcmpv6 = 58;

namespace v4 {
inline constexpr std::uint8_t kEchoReply = 0;
inline constexpr std::uint8_t kDestinationUnreachable = 3;
inline constexpr std::uint8_t kSourceQuench = 4;
inline constexpr std::uint8_t kRedirect = 5;
inline constexpr std::uint8_t kEchoRequest = 8;
inline constexpr std::uint8_t kTimeExceeded = 11;
inline constexpr std::uint8_t kParameterProblem = 12;
}  // namespace v4

namespace v6 {
inline constexpr std::uint8_t kDestinationUnreachable = 1;
inline constexpr std::uint8_t kPacketTooBig = 2;
inline constexpr std::uint8_t kTimeExceeded = 3;
inline constexpr std::uint8_t kParameterProblem = 4;
inline constexpr std::uint8_t kEchoRequest = 128;
inline constexpr std::uint8_t kEchoReply = 129;
}  // namespace v6

// RFC 1071 internet checksum (one's complement of the one's complement sum), as stored on the
// wire: a buffer that already carries its correct checksum sums to 0.
std::uint16_t checksum(Bytes data) noexcept;

struct EchoHeader {
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  friend bool operator==(const EchoHeader&, const EchoHeader&) = default;
};

// Who computes the ICMP checksum of what is sent and verifies it on what is received. The kernel
// does both on an ICMP datagram socket (both families) and on a raw ICMPv6 socket; on a raw IPv4
// socket nobody does but uping.
enum class ChecksumBy : std::uint8_t { uping, kernel };

// Writes an echo request (8-byte header + payload) into `out` and returns the bytes written, or 0
// when `out` is too small. The IPv4 checksum is computed here unless the kernel will (`by`); the
// ICMPv6 checksum covers a pseudo-header only the kernel knows, so it is always left 0 for the
// kernel to fill in. On a datagram socket the kernel also replaces the identifier with the
// socket's own. `payload` may be the very bytes of `out` after the header (a payload filled in
// place).
std::size_t encode_echo_request(Family family, EchoHeader header, Bytes payload, MutableBytes out,
                                ChecksumBy by = ChecksumBy::uping) noexcept;

// Reads back the header of one of our own echo requests, as the kernel returns it on the error
// queue of a datagram socket. Empty unless `packet` is an echo request of `family`.
std::optional<EchoHeader> decode_echo_request(Family family, Bytes packet) noexcept;

// Fields are checked in the order they are read. Bytes that are missing give `truncated`; bytes
// that are present but wrong give one of the others. So an ICMP error whose quote stops before
// the quoted IP header or the 8 bytes after it is `truncated`, while a complete quote of another
// protocol, another ICMP type or a later fragment is `bad_quote`. In a raw IPv4 packet a header
// length beyond the buffer, or a total length beyond what was received, is `truncated`.
enum class Malformed : std::uint8_t {
  truncated,      // shorter than the headers it claims
  bad_ip_header,  // raw IPv4: version, header length < 20, or total length < header length
  not_icmp,       // raw IPv4: protocol is not ICMP
  bad_quote,      // an ICMP error whose quoted datagram is not one of our echo requests
};

struct EchoReply {
  EchoHeader header;
  Bytes payload;                    // points into the decoded buffer
  std::size_t icmp_length = 0;      // ICMP header + payload, the "<n> bytes from" figure
  bool checksum_ok = true;          // IPv4 only; ICMPv6 checksums are verified by the kernel
  std::optional<std::uint8_t> ttl;  // from the IPv4 header, when there was one
};

// An ICMP error that quotes one of our echo requests.
// `info` is the error header's second 32-bit word (bytes 4-7), read big-endian, unchanged:
//   IPv4 destination unreachable, code 4 (frag needed): next-hop MTU = info & 0xFFFF
//   IPv4 redirect: gateway address = the four bytes of info, most significant first
//   IPv4 parameter problem: pointer = info >> 24 (the first byte)
//   ICMPv6 packet too big: MTU = info;  ICMPv6 parameter problem: pointer = info
//   anything else: unused, normally 0.
// IPv6 quotes with extension headers are not walked (uping sends none): they are `bad_quote`.
struct ErrorReport {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;                             // the header's second word: MTU, pointer or gateway, by type
  EchoHeader quoted;                                  // identifier and sequence of the request it answers
  std::array<std::uint8_t, 16> quoted_destination{};  // 4 bytes used for IPv4
};

// Any ICMP message that is neither an echo reply nor an error about an echo request
// (for example our own request looped back to a raw socket). Callers ignore it.
struct Unrelated {
  std::uint8_t type = 0;
};

using Message = std::variant<EchoReply, ErrorReport, Unrelated, Malformed>;

// Decodes a message that starts at the ICMP header: what datagram sockets deliver (both
// families) and what a raw ICMPv6 socket delivers. With ChecksumBy::kernel an IPv4 reply's
// checksum is not recomputed: a datagram socket never receives one that failed the kernel's check.
Message decode_icmp(Family family, Bytes packet, ChecksumBy by = ChecksumBy::uping) noexcept;

// Decodes what a raw IPv4 socket delivers: the IPv4 header, then the ICMP message.
Message decode_ipv4_packet(Bytes packet) noexcept;

// Payload layout shared with iputils: when the payload can hold it, the send time as a struct
// timeval comes first (peers and captures expect it; uping itself never reads it back), then the
// fill bytes. Without a pattern, byte i of the payload is i mod 256 (so the bytes after the
// timestamp are 0x10, 0x11, ...); with one, byte i is pattern[i mod pattern size]. Like iputils,
// both are counted from payload byte 0, timestamp area included: a 3-byte pattern therefore
// resumes at pattern[1] at offset 16. A payload shorter than the timestamp is all fill bytes.
// stamp_payload writes nothing to a payload shorter than kTimestampSize; otherwise it writes
// seconds then microseconds as two 64-bit integers in host byte order, the layout of a native
// struct timeval on 64-bit Linux, which is what iputils sends.
void fill_payload(MutableBytes payload, Bytes pattern) noexcept;
void stamp_payload(MutableBytes payload, std::int64_t unix_seconds, std::int64_t microseconds) noexcept;

// Offset of the first payload byte, after the timestamp area, that differs from what was sent;
// empty when they agree. Used for iputils' "wrong data byte" report. The timestamp area is
// skipped when `sent` is at least kTimestampSize long; only the common length is compared.
struct PayloadMismatch {
  std::size_t offset = 0;
  std::uint8_t expected = 0;
  std::uint8_t actual = 0;
};
std::optional<PayloadMismatch> compare_payload(Bytes sent, Bytes received) noexcept;

}  // namespace uping::icmp
