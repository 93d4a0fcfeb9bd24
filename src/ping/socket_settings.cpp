#include "ping/socket_settings.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <climits>

#include "ping/startup.hpp"

namespace uping {
namespace {

int pmtu_value(PmtuDiscovery mode, icmp::Family family) {
  const bool v4 = family == icmp::Family::v4;
  switch (mode) {
    case PmtuDiscovery::do_:
      return v4 ? IP_PMTUDISC_DO : IPV6_PMTUDISC_DO;
    case PmtuDiscovery::dont:
      return v4 ? IP_PMTUDISC_DONT : IPV6_PMTUDISC_DONT;
    case PmtuDiscovery::want:
      return v4 ? IP_PMTUDISC_WANT : IPV6_PMTUDISC_WANT;
    case PmtuDiscovery::probe:
      return v4 ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
  }
  return v4 ? IP_PMTUDISC_WANT : IPV6_PMTUDISC_WANT;
}

}  // namespace

int receive_buffer_for(const Options& options, icmp::Family family) {
  const int header_room = family == icmp::Family::v4 ? static_cast<int>(ip_options_size(options)) + 20 : 40;
  long long per_packet = static_cast<long long>(options.payload_size) + 8;
  per_packet += ((per_packet + 511) / 512) * (header_room + 16 + 64 + 160);
  return static_cast<int>(std::min<long long>(per_packet * options.preload, INT_MAX));
}

std::variant<net::SocketSettings, std::string> socket_settings_for(const Options& options, const StartFacts& facts) {
  const icmp::Family family = facts.family;
  net::SocketSettings settings;
  settings.ttl = options.ttl;
  settings.interface = facts.device;

  // A broadcast or multicast IPv4 ping never fragments; a user's is also slow.
  std::optional<PmtuDiscovery> pmtu = options.pmtu;
  if (facts.multicast && family == icmp::Family::v4) {
    if (!facts.root) {
      if (options.interval_seconds * 1000.0 + 1e-6 < 1000.0)
        return std::string("minimal interval for broadcast ping for user must be >= 1000 ms, use -i 1 (or higher)");
      if (pmtu && *pmtu != PmtuDiscovery::do_) return std::string("broadcast ping does not fragment");
    }
    if (!pmtu) pmtu = PmtuDiscovery::do_;
  }
  if (pmtu) settings.pmtu = pmtu_value(*pmtu, family);

  // -I with an address binds to it; -B binds to the source the route probe found.
  settings.source = facts.source_address;
  if (!settings.source && options.strict_source) settings.source = facts.route_source;
  settings.identifier = options.identifier;
  settings.tos = options.tos;
  settings.sndbuf = options.sndbuf;
  settings.rcvbuf = std::max(receive_buffer_for(options, family), 65536);
  settings.so_debug = options.so_debug;
  settings.dont_route = options.dont_route;
  settings.broadcast = options.broadcast && family == icmp::Family::v4;
  settings.no_loop = options.no_loop;
  settings.kernel_timestamps = !options.latency;
  if (family == icmp::Family::v4) {
    settings.ip_options = startup::ip_option_bytes(options, facts.timestamp_hops);
    settings.ip_options_timestamp = options.timestamp_option.has_value();
  } else if (options.flow_label) {
    settings.flow_label = options.flow_label;
    settings.flow_destination = facts.target;
  }
  return settings;
}

}  // namespace uping
