#include "system/resolve.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <clocale>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace uping {

std::string numeric_host(const SocketAddress& address) {
  char host[NI_MAXHOST];
  if (getnameinfo(address.get(), address.length, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return "?";
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

ResolveError resolve_error(const std::string& host, int code, std::vector<AddrinfoEntry> seen = {}) {
  return ResolveError{printable(host) + ": " + gai_strerror(code), gai_strerror(code), std::move(seen)};
}

bool is_numeric_host(const std::string& host) {
  addrinfo numeric_hints{};
  numeric_hints.ai_flags = AI_NUMERICHOST;
  addrinfo* numeric_result = nullptr;
  const bool numeric = getaddrinfo(host.c_str(), nullptr, &numeric_hints, &numeric_result) == 0;
  if (numeric_result != nullptr) freeaddrinfo(numeric_result);
  return numeric;
}

// As iputils: always both families (glibc keeps a link-local scope only then, iputils issue
// 252, and maps "::ffff:a.b.c.d" to IPv4 when asked for AF_INET alone), then the first answer
// of the wanted family. "-4 ::ffff:127.0.0.1" is therefore refused, as iputils refuses it.
std::variant<Target, ResolveError> resolve_with(const std::string& host, std::optional<icmp::Family> family,
                                                int extra_flags) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;  // one answer per address, not one per socket type
  hints.ai_flags = AI_CANONNAME | extra_flags;
#ifdef AI_IDN
  hints.ai_flags |= AI_IDN;
#endif
  addrinfo* raw_result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw_result);
  if (rc != 0) return resolve_error(host, rc);
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> result(raw_result, freeaddrinfo);

  std::vector<AddrinfoEntry> seen;  // what iputils' -v lists, up to the answer it takes
  const addrinfo* chosen = nullptr;
  for (const addrinfo* ai = result.get(); ai != nullptr && chosen == nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    const icmp::Family found = ai->ai_family == AF_INET6 ? icmp::Family::v6 : icmp::Family::v4;
    seen.push_back({found, ai->ai_canonname != nullptr ? printable(ai->ai_canonname) : std::string()});
    if (!family || *family == found) chosen = ai;
  }
  if (chosen == nullptr || chosen->ai_addrlen > sizeof(sockaddr_storage))
    return resolve_error(host, EAI_ADDRFAMILY, std::move(seen));

  Target target;
  std::memcpy(&target.address.storage, chosen->ai_addr, chosen->ai_addrlen);
  target.address.length = chosen->ai_addrlen;
  target.numeric = numeric_host(target.address);
  target.seen = std::move(seen);

  // "Typed as an address": the same text parses as a numeric host (scope ids included).
  target.typed_as_address = (extra_flags & AI_NUMERICHOST) != 0 || is_numeric_host(host);

  // iputils names an IPv4 target by the canonical name of the answer it took (only the first
  // answer carries one; without it, the target as typed), an IPv6 target always as typed.
  const char* canonical = chosen->ai_canonname;
  const bool as_typed = target.typed_as_address || canonical == nullptr || chosen->ai_family == AF_INET6;
  target.display_name = printable(as_typed ? host : canonical);
  return target;
}

}  // namespace

void load_user_charset_if_needed(const std::vector<std::string>& names, bool more_names_to_come) {
  const auto international = [](const std::string& name) {
    return std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  };
  if (more_names_to_come || std::any_of(names.begin(), names.end(), international)) std::setlocale(LC_CTYPE, "");
}

std::variant<Target, ResolveError> resolve_target(const std::string& host, std::optional<icmp::Family> family) {
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
