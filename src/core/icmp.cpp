#include "uping/icmp.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace uping::icmp {
namespace {

// Callers check `offset + 2 <= bytes.size()` (or + 4) before reading: these helpers only
// assemble bytes in network order.
std::uint16_t load_u16(Bytes bytes, std::size_t offset) noexcept {
  return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

std::uint32_t load_u32(Bytes bytes, std::size_t offset) noexcept {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

void store_u16(MutableBytes bytes, std::size_t offset, std::uint16_t value) noexcept {
  bytes[offset] = static_cast<std::uint8_t>(value >> 8);
  bytes[offset + 1] = static_cast<std::uint8_t>(value & 0xFFU);
}

// Offsets inside an ICMP header.
constexpr std::size_t kTypeOffset = 0;
constexpr std::size_t kCodeOffset = 1;
constexpr std::size_t kChecksumOffset = 2;
constexpr std::size_t kIdentifierOffset = 4;
constexpr std::size_t kSequenceOffset = 6;
constexpr std::size_t kInfoOffset = 4;  // errors reuse the identifier/sequence word

// Offsets inside an IPv4 header.
constexpr std::size_t kIpv4TotalLengthOffset = 2;
constexpr std::size_t kIpv4FragmentOffset = 6;
constexpr std::size_t kIpv4TtlOffset = 8;
constexpr std::size_t kIpv4ProtocolOffset = 9;
constexpr std::size_t kIpv4DestinationOffset = 16;
constexpr std::size_t kIpv4AddressSize = 4;
constexpr std::uint16_t kIpv4FragmentOffsetMask = 0x1FFF;

// Offsets inside an IPv6 header.
constexpr std::size_t kIpv6NextHeaderOffset = 6;
constexpr std::size_t kIpv6DestinationOffset = 24;
constexpr std::size_t kIpv6AddressSize = 16;

std::uint8_t echo_request_type(Family family) noexcept {
  return family == Family::v4 ? v4::kEchoRequest : v6::kEchoRequest;
}

EchoHeader read_echo_header(Bytes icmp_message) noexcept {
  return EchoHeader{load_u16(icmp_message, kIdentifierOffset), load_u16(icmp_message, kSequenceOffset)};
}

bool is_v4_error(std::uint8_t type) noexcept {
  return type == v4::kDestinationUnreachable || type == v4::kSourceQuench || type == v4::kRedirect ||
         type == v4::kTimeExceeded || type == v4::kParameterProblem;
}

bool is_v6_error(std::uint8_t type) noexcept {
  return type == v6::kDestinationUnreachable || type == v6::kPacketTooBig || type == v6::kTimeExceeded ||
         type == v6::kParameterProblem;
}

// Where the quoted echo request sits inside an error, once the quoted IP header checks out.
struct QuotedRequest {
  Bytes icmp;         // at least kHeaderSize bytes
  Bytes destination;  // 4 or 16 bytes
};
using QuoteResult = std::variant<QuotedRequest, Malformed>;

// The quote holds the original IPv4 header (options included) and at least the first 8 bytes of
// what followed it. Missing bytes are `truncated`; bytes that are there but describe something
// other than an unfragmented ICMP datagram are `bad_quote`.
QuoteResult locate_v4_quote(Bytes quote) noexcept {
  if (quote.size() < kIpv4MinHeaderSize) {
    return Malformed::truncated;
  }
  const auto version = static_cast<unsigned>(quote[0] >> 4);
  const auto header_size = std::size_t{quote[0] & 0x0FU} * 4;
  if (version != 4 || header_size < kIpv4MinHeaderSize) {
    return Malformed::bad_quote;
  }
  if (quote[kIpv4ProtocolOffset] != kProtocolIcmp) {
    return Malformed::bad_quote;
  }
  // A later fragment carries no ICMP header, only the middle of some payload.
  if ((load_u16(quote, kIpv4FragmentOffset) & kIpv4FragmentOffsetMask) != 0) {
    return Malformed::bad_quote;
  }
  if (quote.size() < header_size + kHeaderSize) {
    return Malformed::truncated;
  }
  return QuotedRequest{quote.subspan(header_size), quote.subspan(kIpv4DestinationOffset, kIpv4AddressSize)};
}

// The quote holds the original IPv6 header and at least 8 bytes after it. Extension headers are
// not walked: uping sends none, so a quote whose next header is not ICMPv6 is not ours.
QuoteResult locate_v6_quote(Bytes quote) noexcept {
  if (quote.size() < kIpv6HeaderSize) {
    return Malformed::truncated;
  }
  if ((quote[0] >> 4) != 6 || quote[kIpv6NextHeaderOffset] != kProtocolIcmpv6) {
    return Malformed::bad_quote;
  }
  if (quote.size() < kIpv6HeaderSize + kHeaderSize) {
    return Malformed::truncated;
  }
  return QuotedRequest{quote.subspan(kIpv6HeaderSize), quote.subspan(kIpv6DestinationOffset, kIpv6AddressSize)};
}

Message decode_error(Family family, Bytes packet) noexcept {
  const Bytes quote = packet.subspan(kHeaderSize);
  const QuoteResult located = family == Family::v4 ? locate_v4_quote(quote) : locate_v6_quote(quote);
  if (const auto* problem = std::get_if<Malformed>(&located)) {
    return *problem;
  }
  const auto& request = std::get<QuotedRequest>(located);
  if (request.icmp[kTypeOffset] != echo_request_type(family)) {
    return Malformed::bad_quote;
  }

  ErrorReport report;
  report.type = packet[kTypeOffset];
  report.code = packet[kCodeOffset];
  report.info = load_u32(packet, kInfoOffset);
  report.quoted = read_echo_header(request.icmp);
  std::copy(request.destination.begin(), request.destination.end(), report.quoted_destination.begin());
  return report;
}

Message decode_echo_reply(Family family, Bytes packet, ChecksumBy by) noexcept {
  EchoReply reply;
  reply.header = read_echo_header(packet);
  reply.payload = packet.subspan(kHeaderSize);
  reply.icmp_length = packet.size();
  // The ICMPv6 checksum covers a pseudo-header with both addresses; the kernel checks it.
  reply.checksum_ok = family == Family::v6 || by == ChecksumBy::kernel || checksum(packet) == 0;
  return reply;
}

// Where the fill bytes begin: iputils keeps its send time in the first kTimestampSize bytes of a
// payload large enough for it, and only the bytes after it are meant to echo back unchanged.
std::size_t fill_start(std::size_t payload_size) noexcept {
  return payload_size >= kTimestampSize ? kTimestampSize : 0;
}

void store_native_i64(MutableBytes bytes, std::size_t offset, std::int64_t value) noexcept {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

}  // namespace

std::uint16_t checksum(Bytes data) noexcept {
  // The one's complement sum does not depend on byte order (RFC 1071, 2.(B)): sum the data as
  // native words, eight bytes per step, and swap once at the end on a little-endian machine.
  // 64 bits hold the carries of any packet; they are folded once at the end.
  std::uint64_t sum = 0;
  const std::uint8_t* bytes = data.data();
  std::size_t left = data.size();
  for (; left >= 8; bytes += 8, left -= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes, sizeof word);
    sum += (word & 0xFFFFFFFFU) + (word >> 32);
  }
  for (; left >= 2; bytes += 2, left -= 2) {
    std::uint16_t half = 0;
    std::memcpy(&half, bytes, sizeof half);
    sum += half;
  }
  if (left == 1) {
    // Odd length: the last byte is padded with a zero byte after it.
    const std::uint16_t padded = std::endian::native == std::endian::little
                                     ? std::uint16_t{*bytes}
                                     : static_cast<std::uint16_t>(std::uint16_t{*bytes} << 8);
    sum += padded;
  }
  while ((sum >> 16) != 0) {
    sum = (sum & 0xFFFFU) + (sum >> 16);
  }
  auto folded = static_cast<std::uint16_t>(sum);
  if constexpr (std::endian::native == std::endian::little) {
    folded = static_cast<std::uint16_t>((folded << 8) | (folded >> 8));
  }
  return static_cast<std::uint16_t>(~folded);
}

std::size_t encode_echo_request(Family family, EchoHeader header, Bytes payload, MutableBytes out,
                                ChecksumBy by) noexcept {
  const std::size_t total = kHeaderSize + payload.size();
  if (out.size() < total) {
    return 0;
  }
  // The payload may already sit in `out` (filled in place), so move rather than copy.
  if (!payload.empty()) {
    std::memmove(out.data() + kHeaderSize, payload.data(), payload.size());
  }
  out[kTypeOffset] = echo_request_type(family);
  out[kCodeOffset] = 0;
  store_u16(out, kChecksumOffset, 0);
  store_u16(out, kIdentifierOffset, header.identifier);
  store_u16(out, kSequenceOffset, header.sequence);
  if (family == Family::v4 && by == ChecksumBy::uping) {
    store_u16(out, kChecksumOffset, checksum(out.first(total)));
  }
  return total;
}

std::optional<EchoHeader> decode_echo_request(Family family, Bytes packet) noexcept {
  if (packet.size() < kHeaderSize || packet[kTypeOffset] != echo_request_type(family)) {
    return std::nullopt;
  }
  return read_echo_header(packet);
}

Message decode_icmp(Family family, Bytes packet, ChecksumBy by) noexcept {
  if (packet.size() < kHeaderSize) {
    return Malformed::truncated;
  }
  const std::uint8_t type = packet[kTypeOffset];
  const bool v4 = family == Family::v4;
  if (type == (v4 ? v4::kEchoReply : v6::kEchoReply)) {
    return decode_echo_reply(family, packet, by);
  }
  if (v4 ? is_v4_error(type) : is_v6_error(type)) {
    return decode_error(family, packet);
  }
  return Unrelated{type};
}

Message decode_ipv4_packet(Bytes packet) noexcept {
  if (packet.size() < kIpv4MinHeaderSize) {
    return Malformed::truncated;
  }
  const auto version = static_cast<unsigned>(packet[0] >> 4);
  const auto header_size = std::size_t{packet[0] & 0x0FU} * 4;
  if (version != 4 || header_size < kIpv4MinHeaderSize) {
    return Malformed::bad_ip_header;
  }
  if (header_size > packet.size()) {
    return Malformed::truncated;
  }
  const std::size_t total_length = load_u16(packet, kIpv4TotalLengthOffset);
  if (total_length < header_size) {
    return Malformed::bad_ip_header;
  }
  if (total_length > packet.size()) {
    return Malformed::truncated;
  }
  if (packet[kIpv4ProtocolOffset] != kProtocolIcmp) {
    return Malformed::not_icmp;
  }

  // Bytes past the total length (link padding) belong to no one.
  const Bytes icmp_message = packet.subspan(header_size, total_length - header_size);
  Message message = decode_icmp(Family::v4, icmp_message);
  if (auto* reply = std::get_if<EchoReply>(&message)) {
    reply->ttl = packet[kIpv4TtlOffset];
  }
  return message;
}

void fill_payload(MutableBytes payload, Bytes pattern) noexcept {
  // Both layouts are anchored at payload byte 0, timestamp area included, as iputils fills them;
  // stamp_payload later overwrites the timestamp area.
  for (std::size_t index = 0; index < payload.size(); ++index) {
    payload[index] = pattern.empty() ? static_cast<std::uint8_t>(index & 0xFFU) : pattern[index % pattern.size()];
  }
}

void stamp_payload(MutableBytes payload, std::int64_t unix_seconds, std::int64_t microseconds) noexcept {
  if (payload.size() < kTimestampSize) {
    return;
  }
  store_native_i64(payload, 0, unix_seconds);
  store_native_i64(payload, sizeof(std::int64_t), microseconds);
}

std::optional<PayloadMismatch> compare_payload(Bytes sent, Bytes received) noexcept {
  const std::size_t common = std::min(sent.size(), received.size());
  for (std::size_t offset = fill_start(sent.size()); offset < common; ++offset) {
    if (sent[offset] != received[offset]) {
      return PayloadMismatch{offset, sent[offset], received[offset]};
    }
  }
  return std::nullopt;
}

}  // namespace uping::icmp
