#include "packet.hpp"

#include <algorithm>

namespace peer {
namespace {

constexpr std::uint8_t kProtocolIcmp = 1;
constexpr std::uint8_t kProtocolIcmpv6 = 58;

std::uint16_t read16(Bytes data, std::size_t at) noexcept {
  return static_cast<std::uint16_t>((data[at] << 8) | data[at + 1]);
}

void write16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value & 0xFFU);
}

void write32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t value) {
  write16(out, at, static_cast<std::uint16_t>(value >> 16));
  write16(out, at + 2, static_cast<std::uint16_t>(value & 0xFFFFU));
}

std::uint64_t add_words(Bytes data, std::uint64_t sum) noexcept {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += read16(data, i);
  }
  if (i < data.size()) {
    sum += static_cast<std::uint64_t>(data[i]) << 8;  // an odd last byte is padded with zero
  }
  return sum;
}

// The ICMPv6 pseudo-header (RFC 8200 section 8.1): source, destination, upper-layer length, next header.
std::uint64_t ipv6_pseudo_header_sum(const Address& source, const Address& destination,
                                     std::size_t upper_length) noexcept {
  std::uint64_t sum = add_words(source, 0);
  sum = add_words(destination, sum);
  sum += (upper_length >> 16) & 0xFFFFU;
  sum += upper_length & 0xFFFFU;
  sum += kProtocolIcmpv6;
  return sum;
}

Address address_from(Bytes data, std::size_t at, std::size_t size) noexcept {
  Address address{};
  std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(at), size, address.begin());
  return address;
}

std::optional<EchoRequest> parse_icmp_echo(Family family, Bytes icmp, EchoRequest request) noexcept {
  const std::uint8_t echo_request = family == Family::v4 ? icmp4::kEchoRequest : icmp6::kEchoRequest;
  if (icmp.size() < kIcmpHeaderSize || icmp[0] != echo_request || icmp[1] != 0) {
    return std::nullopt;
  }
  request.family = family;
  request.identifier = read16(icmp, 4);
  request.sequence = read16(icmp, 6);
  request.icmp_length = icmp.size();
  request.payload = icmp.subspan(kIcmpHeaderSize);
  return request;
}

std::optional<EchoRequest> parse_ipv4(Bytes packet) noexcept {
  if (packet.size() < kIpv4HeaderSize || (packet[0] >> 4) != 4) {
    return std::nullopt;
  }
  const std::size_t header_length = static_cast<std::size_t>(packet[0] & 0x0FU) * 4;
  const std::size_t total_length = read16(packet, 2);
  if (header_length < kIpv4HeaderSize || total_length < header_length || total_length > packet.size()) {
    return std::nullopt;
  }
  const Bytes datagram = packet.first(total_length);
  const bool fragment = (read16(datagram, 6) & 0x3FFFU) != 0;  // more-fragments flag or an offset
  if (fragment || datagram[9] != kProtocolIcmp || internet_checksum(datagram.first(header_length)) != 0) {
    return std::nullopt;
  }
  const Bytes icmp = datagram.subspan(header_length);
  if (internet_checksum(icmp) != 0) {
    return std::nullopt;
  }
  EchoRequest request;
  request.source = address_from(datagram, 12, 4);
  request.destination = address_from(datagram, 16, 4);
  request.datagram = datagram;
  return parse_icmp_echo(Family::v4, icmp, request);
}

std::optional<EchoRequest> parse_ipv6(Bytes packet) noexcept {
  if (packet.size() < kIpv6HeaderSize || (packet[0] >> 4) != 6) {
    return std::nullopt;
  }
  const std::size_t payload_length = read16(packet, 4);
  // Extension headers are not walked: uping sends none, and the kernel's own chatter (MLD with a
  // hop-by-hop header, router solicitations) is not for the peer.
  if (kIpv6HeaderSize + payload_length > packet.size() || packet[6] != kProtocolIcmpv6) {
    return std::nullopt;
  }
  const Bytes datagram = packet.first(kIpv6HeaderSize + payload_length);
  const Bytes icmp = datagram.subspan(kIpv6HeaderSize);
  EchoRequest request;
  request.source = address_from(datagram, 8, 16);
  request.destination = address_from(datagram, 24, 16);
  request.datagram = datagram;
  if (internet_checksum(icmp, ipv6_pseudo_header_sum(request.source, request.destination, icmp.size())) != 0) {
    return std::nullopt;
  }
  return parse_icmp_echo(Family::v6, icmp, request);
}

}  // namespace

bool is_peer_target(Family family, const Address& destination) noexcept {
  if (family == Family::v4) {
    return destination[0] == 203 && destination[1] == 0 && destination[2] == 113;  // 203.0.113.0/24
  }
  constexpr std::array<std::uint8_t, 8> prefix{0x20, 0x01, 0x0d, 0xb8, 0xfe, 0xed, 0x00, 0x00};  // 2001:db8:feed::/64
  return std::equal(prefix.begin(), prefix.end(), destination.begin());
}

Address router_address(Family family) noexcept {
  Address address{};
  if (family == Family::v4) {
    address[0] = 203;
    address[1] = 0;
    address[2] = 113;
    address[3] = 254;
  } else {
    constexpr std::array<std::uint8_t, 6> prefix{0x20, 0x01, 0x0d, 0xb8, 0xfe, 0xed};
    std::copy(prefix.begin(), prefix.end(), address.begin());
    address[15] = 0xfe;
  }
  return address;
}

std::uint16_t internet_checksum(Bytes data, std::uint64_t initial_sum) noexcept {
  std::uint64_t sum = add_words(data, initial_sum);
  while ((sum >> 16) != 0) {
    sum = (sum & 0xFFFFU) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum & 0xFFFFU);
}

std::optional<EchoRequest> parse_echo_request(Bytes packet) noexcept {
  if (packet.empty()) {
    return std::nullopt;
  }
  switch (packet[0] >> 4) {
    case 4:
      return parse_ipv4(packet);
    case 6:
      return parse_ipv6(packet);
    default:
      return std::nullopt;
  }
}

std::vector<std::uint8_t> build_packet(Family family, const Address& source, const Address& destination,
                                       std::uint8_t ttl, const IcmpMessage& message, bool corrupt_checksum) {
  const std::size_t ip_header = family == Family::v4 ? kIpv4HeaderSize : kIpv6HeaderSize;
  const std::size_t icmp_length = kIcmpHeaderSize + message.body.size();
  // IPv4 total length includes the header; IPv6 payload length does not. Both are 16-bit fields.
  const std::size_t length_field = family == Family::v4 ? ip_header + icmp_length : icmp_length;
  if (length_field > kMaxPacketSize) {
    return {};
  }
  std::vector<std::uint8_t> packet(ip_header + icmp_length, 0);

  if (family == Family::v4) {
    packet[0] = 0x45;  // version 4, header length 5 words
    write16(packet, 2, static_cast<std::uint16_t>(length_field));
    packet[8] = ttl;
    packet[9] = kProtocolIcmp;
    std::copy_n(source.begin(), 4, packet.begin() + 12);
    std::copy_n(destination.begin(), 4, packet.begin() + 16);
    write16(packet, 10, internet_checksum(Bytes(packet).first(kIpv4HeaderSize)));
  } else {
    packet[0] = 0x60;  // version 6, traffic class and flow label 0
    write16(packet, 4, static_cast<std::uint16_t>(length_field));
    packet[6] = kProtocolIcmpv6;
    packet[7] = ttl;
    std::copy(source.begin(), source.end(), packet.begin() + 8);
    std::copy(destination.begin(), destination.end(), packet.begin() + 24);
  }

  const std::size_t at = ip_header;
  packet[at] = message.type;
  packet[at + 1] = message.code;
  write32(packet, at + 4, message.rest);
  std::copy(message.body.begin(), message.body.end(),
            packet.begin() + static_cast<std::ptrdiff_t>(at + kIcmpHeaderSize));

  const Bytes icmp = Bytes(packet).subspan(at);
  std::uint16_t checksum = family == Family::v4
                               ? internet_checksum(icmp)
                               : internet_checksum(icmp, ipv6_pseudo_header_sum(source, destination, icmp_length));
  if (corrupt_checksum) {
    // Never maps a valid checksum to its one's complement twin (0x0000 <-> 0xFFFF), so always wrong.
    checksum ^= 0x00FFU;
  }
  write16(packet, at + 2, checksum);
  return packet;
}

}  // namespace peer
