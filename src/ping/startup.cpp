#include "ping/startup.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace uping::startup {

InterfaceChoice split_interface_option(std::string_view value) {
  InterfaceChoice choice;
  if (value.find(':') != std::string_view::npos) {
    const auto scope = value.find('%');
    choice.source = std::string(value.substr(0, scope));
    if (scope != std::string_view::npos) choice.device = std::string(value.substr(scope + 1));
    return choice;
  }
  in_addr v4{};
  const std::string text(value);
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) choice.source = text;
  else choice.device = text;
  return choice;
}

bool is_link_local(const in6_addr& address) {
  return IN6_IS_ADDR_LINKLOCAL(&address) || IN6_IS_ADDR_MC_LINKLOCAL(&address);
}

bool is_link_local(const SocketAddress& address) {
  if (address.storage.ss_family != AF_INET6) return false;
  return is_link_local(reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr);
}

std::optional<std::string> link_local_warning(std::string_view target, bool datagram_socket) {
  // A raw socket is not warned about: iputils only knows datagram sockets to need the scope.
  if (!datagram_socket || target.find('%') != std::string_view::npos) return std::nullopt;
  in6_addr address{};
  if (inet_pton(AF_INET6, std::string(target).c_str(), &address) != 1 || !is_link_local(address)) return std::nullopt;
  return "Warning: IPv6 link-local address on ICMP datagram socket may require ifname or scope-id"
         " => use: address%<ifname|scope-id>";
}

bool scope_source_to_device(SocketAddress& source, unsigned device_index) {
  if (device_index == 0 || !is_link_local(source)) return false;
  reinterpret_cast<sockaddr_in6*>(&source.storage)->sin6_scope_id = device_index;
  return true;
}

std::vector<InterfaceAddress> interface_addresses() {
  std::vector<InterfaceAddress> found;
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) return found;
  const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> list(raw, freeifaddrs);
  for (const ifaddrs* entry = list.get(); entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_name == nullptr || entry->ifa_addr == nullptr) continue;
    const int family = entry->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    InterfaceAddress item;
    item.name = entry->ifa_name;
    item.address.length = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    std::memcpy(&item.address.storage, entry->ifa_addr, item.address.length);
    found.push_back(std::move(item));
  }
  return found;
}

std::optional<std::string> source_device_warning(const std::vector<InterfaceAddress>& addresses,
                                                 std::string_view device, const SocketAddress& source) {
  if (device.empty()) return std::nullopt;
  for (const InterfaceAddress& entry : addresses) {
    if (entry.name == device && entry.address.same_host(source)) return std::nullopt;  // scope ignored
  }
  return "Warning: source address might be selected on device other than: " + std::string(device);
}

std::variant<std::vector<SocketAddress>, ResolveError> resolve_timestamp_hops(const std::vector<std::string>& hops) {
  std::vector<SocketAddress> addresses;
  for (const std::string& hop : hops) {
    auto resolved = resolve_target(hop, icmp::Family::v4);
    if (auto* failure = std::get_if<ResolveError>(&resolved)) return std::move(*failure);
    addresses.push_back(std::get<Target>(resolved).address);
  }
  return addresses;
}

// The IP_OPTIONS bytes iputils sends for -R (a NOP, then a record-route option with room for
// nine hops) and -T (a timestamp option; tsprespec carries an address and room for its stamp
// per hop).
std::vector<std::uint8_t> ip_option_bytes(const Options& options, const std::vector<SocketAddress>& hops) {
  constexpr std::uint8_t kNop = 1;
  constexpr std::uint8_t kRecordRoute = 7;
  constexpr std::uint8_t kTimestamp = 68;
  constexpr std::uint8_t kMinOffset = 4;
  constexpr std::size_t kRouteSpace = 3 + 4 * 9 + 1;
  std::vector<std::uint8_t> bytes;
  if (options.record_route) {
    bytes.assign(kRouteSpace, 0);
    bytes[0] = kNop;
    bytes[1] = kRecordRoute;
    bytes[2] = kRouteSpace - 1;
    bytes[3] = kMinOffset;
  } else if (options.timestamp_option) {
    bytes.assign(kRouteSpace, 0);
    bytes[0] = kTimestamp;
    const auto kind = *options.timestamp_option;
    bytes[1] = kind == TimestampOption::tsonly ? 40 : kind == TimestampOption::tsandaddr ? 36 : 4;
    bytes[2] = 5;
    bytes[3] = kind == TimestampOption::tsonly ? 0 : kind == TimestampOption::tsandaddr ? 1 : 3;
    if (kind == TimestampOption::tsprespec) {
      const std::size_t count = std::min(hops.size(), std::size_t{4});  // the parser allows 4
      bytes[1] = static_cast<std::uint8_t>(4 + count * 8);
      for (std::size_t i = 0; i < count; ++i) {
        const auto& hop = reinterpret_cast<const sockaddr_in&>(hops[i].storage).sin_addr;
        std::memcpy(&bytes[4 + i * 8], &hop, sizeof hop);
      }
    }
    bytes.resize(bytes[1]);
  }
  return bytes;
}

}  // namespace uping::startup
