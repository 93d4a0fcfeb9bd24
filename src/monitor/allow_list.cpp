#include "monitor/allow_list.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>

namespace uping::monitor {
namespace {

constexpr unsigned kV4Bits = 32;
constexpr unsigned kV6Bits = 128;
constexpr unsigned kMappedPrefix = 96;  // ::ffff:0:0/96 holds the IPv4-mapped addresses
constexpr WideCount kMappedMarker = WideCount{0xFFFF} << 32;
constexpr std::size_t kMaxQuoted = 64;

unsigned bits_of(icmp::Family family) { return family == icmp::Family::v4 ? kV4Bits : kV6Bits; }

// The text as an error message may show it: one line of printable ASCII, bounded.
std::string quoted(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxQuoted)) out += (c >= ' ' && c <= '~') ? c : '?';
  if (text.size() > kMaxQuoted) out += "...";
  return out;
}

// The addresses a block of `prefix` bits leaves free, as a mask.
WideCount host_mask(unsigned bits, unsigned prefix) {
  const unsigned host_bits = bits - prefix;
  return host_bits >= kV6Bits ? ~WideCount{0} : (WideCount{1} << host_bits) - 1;
}

bool is_v4_mapped(WideCount v6) { return (v6 >> 32) == (kMappedMarker >> 32); }

bool block_contains(const Cidr& block, const targets::IpAddress& address) {
  if (block.network.family != address.family) return false;
  const WideCount mask = ~host_mask(bits_of(address.family), block.prefix);
  return (address.value & mask) == block.network.value;
}

}  // namespace

std::variant<Cidr, std::string> parse_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const auto address = targets::parse_address(address_text);
  if (!address) return quoted(text) + ": not an IPv4 or IPv6 address (or CIDR block)";
  const unsigned bits = bits_of(address->family);
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    const auto parsed = targets::parse_prefix_length(text.substr(slash + 1));
    if (!parsed || *parsed > bits) return quoted(text) + ": prefix length must be 0 to " + std::to_string(bits);
    prefix = *parsed;
  }
  const WideCount network = address->value & ~host_mask(bits, prefix);
  if (network != address->value) {
    // An allow-list is security: a typo must not silently widen (or move) the block.
    const targets::IpAddress cleared{address->family, network};
    return quoted(text) + ": host bits set after the /" + std::to_string(prefix) + " prefix (the block would be " +
           targets::to_string(cleared) + "/" + std::to_string(prefix) + ")";
  }
  // A block of IPv4-mapped IPv6 addresses is the IPv4 block it maps: contains() judges a mapped
  // address as IPv4, so kept as IPv6 it would never match.
  if (address->family == icmp::Family::v6 && prefix >= kMappedPrefix && is_v4_mapped(network)) {
    return Cidr{{icmp::Family::v4, network & 0xFFFFFFFFU}, prefix - kMappedPrefix};
  }
  return Cidr{*address, prefix};
}

bool AllowList::contains(const SocketAddress& address) const noexcept {
  const int family = address.storage.ss_family;
  if (family != AF_INET && family != AF_INET6) return false;
  const HostBytes bytes = host_bytes(address);
  targets::IpAddress ip{family == AF_INET ? icmp::Family::v4 : icmp::Family::v6, 0};
  const std::size_t length = family == AF_INET ? 4 : 16;
  for (std::size_t i = 0; i < length; ++i) ip.value = (ip.value << 8) | bytes[i];
  if (ip.family == icmp::Family::v6 && is_v4_mapped(ip.value)) ip = {icmp::Family::v4, ip.value & 0xFFFFFFFFU};
  return std::any_of(blocks_.begin(), blocks_.end(), [&](const Cidr& block) { return block_contains(block, ip); });
}

}  // namespace uping::monitor
