#include "fping/generate.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace uping::fping {
namespace {

struct Numeric {
  int family = AF_UNSPEC;
  std::uint32_t v4 = 0;                // host order
  std::uint64_t upper = 0, lower = 0;  // IPv6, host order halves
};

int hint_of(AddressFamily family) {
  switch (family) {
    case AddressFamily::ipv4:
      return AF_INET;
    case AddressFamily::ipv6:
      return AF_INET6;
    case AddressFamily::any:
      break;
  }
  return AF_UNSPEC;
}

// A numeric address as fping reads it, or getaddrinfo's error code.
std::optional<Numeric> parse_numeric(const std::string& text, int family_hint, int& gai_error) {
  addrinfo hints{};
  hints.ai_family = family_hint;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  gai_error = getaddrinfo(text.c_str(), nullptr, &hints, &found);
  if (gai_error != 0) return std::nullopt;
  Numeric result;
  result.family = found->ai_family;
  if (found->ai_family == AF_INET) {
    result.v4 = ntohl(reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr.s_addr);
  } else if (found->ai_family == AF_INET6) {
    const auto* bytes = reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr.s6_addr;
    for (int i = 0; i < 8; ++i) result.upper = (result.upper << 8U) | bytes[i];
    for (int i = 8; i < 16; ++i) result.lower = (result.lower << 8U) | bytes[i];
  }
  freeaddrinfo(found);
  return result;
}

std::string ipv4_text(std::uint32_t host_order) {
  in_addr address{};
  address.s_addr = htonl(host_order);
  char buffer[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &address, buffer, sizeof buffer);
  return buffer;
}

std::string ipv6_text(std::uint64_t upper, std::uint64_t lower) {
  in6_addr address{};
  for (int i = 0; i < 8; ++i) {
    address.s6_addr[7 - i] = static_cast<std::uint8_t>(upper >> (8 * i));
    address.s6_addr[15 - i] = static_cast<std::uint8_t>(lower >> (8 * i));
  }
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &address, buffer, sizeof buffer);
  return buffer;
}

std::string message(std::string_view program_name, std::string_view text) {
  std::string line(program_name);
  line += ": ";
  line += text;
  line += '\n';
  return line;
}

void add_ipv4_range(Generated& out, std::string_view program_name, std::uint64_t first, std::uint64_t last) {
  if (last >= first + kMaxGenerate) {
    out.err = message(program_name, "-g parameter generates too many addresses");
    return;
  }
  for (std::uint64_t address = first; address <= last; ++address) {
    out.addresses.push_back(ipv4_text(static_cast<std::uint32_t>(address)));
  }
}

// fping 5.5 decides "too many" on 64-bit halves with unsigned wrap-around; the same test, written
// out, so that its edge cases (a reversed range near a 2^64 boundary) answer as fping answers.
bool ipv6_too_many(std::uint64_t su, std::uint64_t sl, std::uint64_t eu, std::uint64_t el) {
  const std::uint64_t max = kMaxGenerate;
  if (su + 1 < eu) return true;
  if (su + 1 == eu && (el >= sl || el - max >= sl)) return true;
  return su == eu && el - max >= sl && sl + max <= el;
}

void add_ipv6_range(Generated& out, std::string_view program_name, Numeric first, Numeric last,
                    std::string_view scope) {
  if (ipv6_too_many(first.upper, first.lower, last.upper, last.lower)) {
    out.err = message(program_name, "-g parameter generates too many addresses");
    return;
  }
  std::uint64_t upper = first.upper, lower = first.lower;
  while (upper < last.upper || (upper == last.upper && lower <= last.lower)) {
    std::string text = ipv6_text(upper, lower);
    if (!scope.empty()) {
      if (text.size() + scope.size() + 1 > 100) {  // fping's 100-byte buffer
        out.addresses.clear();
        out.err = message(program_name, "scope identifier is too long");
        return;
      }
      text += scope;
    }
    out.addresses.push_back(std::move(text));
    if (++lower == 0) ++upper;
  }
}

// fping's strict unsigned reading of a prefix length: no sign, digits only, no overflow.
std::optional<unsigned long> prefix_length(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start])) != 0) ++start;
  if (start < text.size() && text[start] == '-') return std::nullopt;
  const char* begin = text.c_str() + start;
  char* end = nullptr;
  errno = 0;
  const unsigned long value = std::strtoul(begin, &end, 10);
  if (errno != 0 || end == begin || *end != '\0') return std::nullopt;
  return value;
}

}  // namespace

Generated generate_cidr(std::string_view program_name, std::string_view cidr, AddressFamily family) {
  Generated out;
  const std::size_t slash = cidr.rfind('/');
  if (slash == std::string_view::npos) {
    out.usage = true;
    return out;
  }
  const std::size_t percent = cidr.find('%');
  if (percent != std::string_view::npos && percent > slash) {
    out.err = message(program_name, "address scope must precede prefix length");
    return out;
  }
  const std::string address(cidr.substr(0, slash));
  const auto mask = prefix_length(std::string(cidr.substr(slash + 1)));
  if (!mask) {
    out.usage = true;
    return out;
  }
  int gai_error = 0;
  const auto parsed = parse_numeric(address, hint_of(family), gai_error);
  if (!parsed) {
    // fping writes a comma here, a colon in the range's message.
    out.err = std::string(program_name) + ", can't parse address " + address + ": " + gai_strerror(gai_error) + "\n";
    return out;
  }
  if (parsed->family == AF_INET) {
    if (*mask < 1 || *mask > 32) {
      out.err = message(program_name, "netmask must be between 1 and 32 (is: " + std::to_string(*mask) + ")");
      return out;
    }
    const std::uint64_t size = std::uint64_t{1} << (32 - *mask);
    std::uint64_t first = parsed->v4 & ~(size - 1);
    std::uint64_t last = first + size - 1;
    if (*mask < 31) {  // no network or broadcast address in an ordinary block
      ++first;
      --last;
    }
    add_ipv4_range(out, program_name, first, last);
    return out;
  }
  if (parsed->family == AF_INET6) {
    if (*mask < 65 || *mask > 128) {
      out.err = message(program_name, "netmask must be between 65 and 128 (is: " + std::to_string(*mask) + ")");
      return out;
    }
    const unsigned host_bits = 128 - static_cast<unsigned>(*mask);
    Numeric first = *parsed;
    first.lower &= ~std::uint64_t{0} << host_bits;
    Numeric last = first;
    last.lower = first.lower + (std::uint64_t{1} << host_bits) - 1;
    const std::string_view scope = percent == std::string_view::npos ? std::string_view{}
                                                                     : cidr.substr(percent, slash - percent);
    add_ipv6_range(out, program_name, first, last, scope);
    return out;
  }
  out.err = message(program_name, "-g does not support this address family");
  return out;
}

Generated generate_range(std::string_view program_name, std::string_view start, std::string_view end,
                         AddressFamily family) {
  Generated out;
  int gai_error = 0;
  const std::string start_text(start), end_text(end);
  const auto first = parse_numeric(start_text, hint_of(family), gai_error);
  if (!first) {
    out.err = message(program_name, "can't parse address " + start_text + ": " + gai_strerror(gai_error));
    return out;
  }
  if (first->family != AF_INET && first->family != AF_INET6) {
    out.err = message(program_name, "-g does not support this address family");
    return out;
  }
  std::string_view scope;
  if (first->family == AF_INET6) {  // both ends carry the same scope, or neither does
    const std::size_t start_percent = start.find('%'), end_percent = end.find('%');
    const std::string_view start_scope = start_percent == std::string_view::npos ? "" : start.substr(start_percent);
    const std::string_view end_scope = end_percent == std::string_view::npos ? "" : end.substr(end_percent);
    if ((start_percent == std::string_view::npos) != (end_percent == std::string_view::npos) ||
        start_scope != end_scope) {
      out.err = message(program_name, "different scopes for start and end addresses");
      return out;
    }
    scope = start_scope;
  }
  const auto last = parse_numeric(end_text, first->family, gai_error);
  if (!last) {
    out.err = message(program_name, "can't parse address " + end_text + ": " + gai_strerror(gai_error));
    return out;
  }
  if (last->family == AF_INET) {
    add_ipv4_range(out, program_name, first->v4, last->v4);
  } else {
    add_ipv6_range(out, program_name, *first, *last, scope);
  }
  return out;
}

}  // namespace uping::fping
