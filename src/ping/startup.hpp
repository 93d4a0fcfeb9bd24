#pragma once
// Start-up decisions iputils makes before the first probe, apart from the session: how -I is
// read (address, scope, device), what a link-local IPv6 destination needs, whether the chosen
// source sits on the -I device, and the IPv4 option bytes of -R / -T. Pure, except
// interface_addresses(), which asks the kernel.

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ping/options.hpp"
#include "system/resolve.hpp"

namespace uping::startup {

// -I as iputils reads it: with a colon, an IPv6 source and optionally "%device"; else an IPv4
// source address; else a device name.
struct InterfaceChoice {
  std::string source;  // address literal without its %scope; empty when -I names a device
  std::string device;  // the device: -I itself, or the %scope of an IPv6 source; may be empty
};
InterfaceChoice split_interface_option(std::string_view value);

// Link-local unicast (fe80::/10) or link-local multicast (ff02::/16): meaningless without a scope.
bool is_link_local(const in6_addr& address);
bool is_link_local(const SocketAddress& address);  // false for IPv4

// iputils' warning (stderr, the run goes on) for a link-local IPv6 destination typed without
// %scope when the IPv6 socket is a datagram socket; nullopt when it does not apply.
std::optional<std::string> link_local_warning(std::string_view target, bool datagram_socket);

// A link-local IPv6 -I source takes its device as scope, as iputils sets sin6_scope_id;
// returns false (and leaves `source` alone) when that does not apply.
bool scope_source_to_device(SocketAddress& source, unsigned device_index);

// One address of one interface, as getifaddrs lists them.
struct InterfaceAddress {
  std::string name;
  SocketAddress address;
};
std::vector<InterfaceAddress> interface_addresses();

// iputils' check after the route probe of `-I <device>`: the source the kernel chose must be an
// address of that device, else it warns (stderr; the run goes on). Returns the warning, if any.
std::optional<std::string> source_device_warning(const std::vector<InterfaceAddress>& addresses,
                                                 std::string_view device, const SocketAddress& source);

// -T tsprespec's hops, IPv4 addresses or names (resolved as iputils resolves them: IPv4 only).
std::variant<std::vector<SocketAddress>, ResolveError> resolve_timestamp_hops(const std::vector<std::string>& hops);

// The IP_OPTIONS bytes of -R (record route) or -T (timestamps; tsprespec lists `hops`, IPv4),
// as iputils sends them; empty for neither.
std::vector<std::uint8_t> ip_option_bytes(const Options& options, const std::vector<SocketAddress>& hops = {});

}  // namespace uping::startup
