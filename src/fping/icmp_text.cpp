#include "fping/icmp_text.hpp"

#include <array>
#include <cstdint>

namespace uping::fping {

namespace {

// IPv4 destination unreachable, codes 0-15 (RFC 792, RFC 1812), in fping's words.
constexpr std::array<std::string_view, 16> kUnreachable = {
    "ICMP Network Unreachable",
    "ICMP Host Unreachable",
    "ICMP Protocol Unreachable",
    "ICMP Port Unreachable",
    "ICMP Unreachable (Fragmentation Needed)",
    "ICMP Unreachable (Source Route Failed)",
    "ICMP Unreachable (Destination Network Unknown)",
    "ICMP Unreachable (Destination Host Unknown)",
    "ICMP Unreachable (Source Host Isolated)",
    "ICMP Unreachable (Communication with Network Prohibited)",
    "ICMP Unreachable (Communication with Host Prohibited)",
    "ICMP Unreachable (Network Unreachable For Type Of Service)",
    "ICMP Unreachable (Host Unreachable For Type Of Service)",
    "ICMP Unreachable (Communication Administratively Prohibited)",
    "ICMP Unreachable (Host Precedence Violation)",
    "ICMP Unreachable (Precedence cutoff in effect)",
};

// ICMPv6 codes (RFC 4443 and later registrations) for the three types fping names.
constexpr std::array<std::string_view, 10> kUnreachable6 = {
    "No route to destination",
    "Communication with destination administratively prohibited",
    "Beyond scope of source address",
    "Address unreachable",
    "Port unreachable",
    "Source address failed ingress/egress policy",
    "Reject route to destination",
    "Error in Source Routing Header",
    "Headers too long",
    "Error in P-Route",
};
constexpr std::array<std::string_view, 2> kTimeExceeded6 = {
    "Hop limit exceeded in transit",
    "Fragment reassembly time exceeded",
};
constexpr std::array<std::string_view, 11> kParameterProblem6 = {
    "Erroneous header field encountered",
    "Unrecognized Next Header type encountered",
    "Unrecognized IPv6 option encountered",
    "IPv6 First Fragment has incomplete IPv6 Header Chain",
    "SR Upper-layer Header Error",
    "Unrecognized Next Header type encountered by intermediate node",
    "Extension header too big",
    "Extension header chain too long",
    "Too many extension headers",
    "Too many options in extension header",
    "Option too big",
};

constexpr std::uint8_t kIcmpUnreachable = 3;
constexpr std::uint8_t kIcmpSourceQuench = 4;
constexpr std::uint8_t kIcmpRedirect = 5;
constexpr std::uint8_t kIcmpTimeExceeded = 11;
constexpr std::uint8_t kIcmpParameterProblem = 12;
constexpr std::uint8_t kIcmp6Unreachable = 1;
constexpr std::uint8_t kIcmp6PacketTooBig = 2;
constexpr std::uint8_t kIcmp6TimeExceeded = 3;
constexpr std::uint8_t kIcmp6ParameterProblem = 4;

// "{name} ({code text})", or "{name} (Code {n})" past the known codes.
template <std::size_t N>
std::string with_code(std::string_view name, const std::array<std::string_view, N>& texts, std::uint8_t code) {
  std::string text(name);
  text += " (";
  text += code < N ? std::string(texts.at(code)) : "Code " + std::to_string(code);
  text += ")";
  return text;
}

std::optional<std::string> ipv4_text(std::uint8_t type, std::uint8_t code) {
  switch (type) {
    case kIcmpUnreachable:
      if (code >= kUnreachable.size()) return std::string("ICMP Unreachable (Invalid Code)");
      return std::string(kUnreachable.at(code));
    case kIcmpSourceQuench:
      return std::string("ICMP Source Quench");
    case kIcmpRedirect:
      return std::string("ICMP Redirect");
    case kIcmpTimeExceeded:
      return std::string("ICMP Time Exceeded");
    case kIcmpParameterProblem:
      return std::string("ICMP Parameter Problem");
    default:
      return std::nullopt;
  }
}

std::string ipv6_text(std::uint8_t type, std::uint8_t code) {
  switch (type) {
    case kIcmp6Unreachable:
      return with_code("ICMPv6 Destination Unreachable", kUnreachable6, code);
    case kIcmp6PacketTooBig:
      return "ICMPv6 Packet Too Big";
    case kIcmp6TimeExceeded:
      return with_code("ICMPv6 Time Exceeded", kTimeExceeded6, code);
    case kIcmp6ParameterProblem:
      return with_code("ICMPv6 Parameter Problem", kParameterProblem6, code);
    default:
      return "ICMPv6 Type " + std::to_string(type) + " Code " + std::to_string(code);
  }
}

}  // namespace

std::optional<std::string> icmp_error_line(const IcmpErrorReport& error, std::string_view host) {
  std::string text;
  if (error.ipv6) {
    text = ipv6_text(error.type, error.code) + " from " + error.from + " for ICMPv6 Echo Request sent to ";
  } else {
    auto name = ipv4_text(error.type, error.code);
    if (!name) return std::nullopt;
    text = *name + " from " + error.from + " for ICMP Echo sent to ";
  }
  text += host;
  text += '\n';
  return text;
}

}  // namespace uping::fping
