#include "uping/resolve.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <memory>

namespace uping {

bool SocketAddress::same_host(const SocketAddress& other) const noexcept {
  if (storage.ss_family != other.storage.ss_family) return false;
  if (storage.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&storage);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&other.storage);
    return a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (storage.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&other.storage);
    return std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
  }
  return false;
}

std::string numeric_host(const SocketAddress& address) {
  char host[NI_MAXHOST];
  if (getnameinfo(address.get(), address.length, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0)
    return "?";
  return host;
}

std::string printable(std::string_view untrusted) {
  std::string out(untrusted);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

namespace {

ResolveError resolve_error(const std::string& host, int code) {
  return ResolveError{printable(host) + ": " + gai_strerror(code), gai_strerror(code)};
}

bool is_numeric_host(const std::string& host) {
  addrinfo numeric_hints{};
  numeric_hints.ai_flags = AI_NUMERICHOST;
  addrinfo* numeric_result = nullptr;
  const bool numeric = getaddrinfo(host.c_str(), nullptr, &numeric_hints, &numeric_result) == 0;
  if (numeric_result != nullptr) freeaddrinfo(numeric_result);
  return numeric;
}

std::variant<Target, ResolveError> resolve_with(const std::string& host, std::optional<icmp::Family> family,
                                                int extra_flags) {
  addrinfo hints{};
  hints.ai_family = !family ? AF_UNSPEC : (*family == icmp::Family::v4 ? AF_INET : AF_INET6);
  hints.ai_socktype = SOCK_DGRAM;  // one answer per address, not one per socket type
  hints.ai_flags = AI_CANONNAME | extra_flags;
#ifdef AI_IDN
  hints.ai_flags |= AI_IDN;
#endif
  addrinfo* raw_result = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw_result);
  if (rc != 0 && family) {
    // As iputils 20250605: a name that exists only in the other family is "Address family for
    // hostname not supported", not "Name or service not known".
    addrinfo any_family = hints;
    any_family.ai_family = AF_UNSPEC;
    addrinfo* other = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &any_family, &other) == 0) {
      freeaddrinfo(other);
      rc = EAI_ADDRFAMILY;
    }
  }
  if (rc != 0) return resolve_error(host, rc);
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> result(raw_result, freeaddrinfo);

  const addrinfo* chosen = nullptr;
  for (const addrinfo* ai = result.get(); ai != nullptr && chosen == nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) chosen = ai;
  }
  if (chosen == nullptr || chosen->ai_addrlen > sizeof(sockaddr_storage))
    return resolve_error(host, EAI_ADDRFAMILY);

  Target target;
  std::memcpy(&target.address.storage, chosen->ai_addr, chosen->ai_addrlen);
  target.address.length = chosen->ai_addrlen;
  target.numeric = numeric_host(target.address);

  // "Typed as an address": the same text parses as a numeric host (scope ids included).
  target.typed_as_address = (extra_flags & AI_NUMERICHOST) != 0 || is_numeric_host(host);

  const char* canonical = result->ai_canonname;
  target.display_name = printable(target.typed_as_address || canonical == nullptr ? host : canonical);
  return target;
}

}  // namespace

std::variant<Target, ResolveError> resolve_target(const std::string& host,
                                                  std::optional<icmp::Family> family) {
  return resolve_with(host, family, 0);
}

std::optional<std::variant<Target, ResolveError>> resolve_numeric(const std::string& host,
                                                                  std::optional<icmp::Family> family) {
  if (!is_numeric_host(host)) return std::nullopt;
  return resolve_with(host, family, AI_NUMERICHOST);
}

const std::string& PeerNamer::name(const SocketAddress& address) {
  if (cached_address_ && cached_address_->same_host(address)) return cached_name_;
  const std::string numeric = numeric_host(address);
  cached_name_ = numeric;
  if (reverse_lookups_) {
    char host[NI_MAXHOST];
    if (getnameinfo(address.get(), address.length, host, sizeof host, nullptr, 0, NI_NAMEREQD) == 0 &&
        numeric != host) {
      cached_name_ = printable(host) + " (" + numeric + ")";
    }
  }
  cached_address_ = address;
  return cached_name_;
}

}  // namespace uping
