#include "ping/run_ping.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "cli/log.hpp"
#include "cli/report.hpp"
#include "cli/stdout_writer.hpp"
#include "ping/session.hpp"
#include "ping/socket_settings.hpp"
#include "ping/startup.hpp"
#include "system/diagnose.hpp"
#include "system/privileges.hpp"
#include "system/resolve.hpp"
#include "system/route.hpp"
#include "uping/icmp.hpp"
#include "wire/endpoint.hpp"
#include "wire/socket.hpp"

namespace uping {
namespace {

namespace asio = boost::asio;

std::string_view family_name(icmp::Family family) { return family == icmp::Family::v4 ? "AF_INET" : "AF_INET6"; }

std::string socket_summary(const std::optional<net::OpenedSocket>& socket) {
  if (!socket) return "-1 (socktype: 0)";
  return fmt::format("{} (socktype: {})", socket->fd(), socket_mode_name(socket->mode()));
}

bool is_multicast(const SocketAddress& address) {
  if (address.storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&address.storage);
    return IN_MULTICAST(ntohl(sin->sin_addr.s_addr));
  }
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address.storage);
  return IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr);
}

// Options iputils applies to one family only; uping says so instead of silently ignoring them.
void warn_other_family_options(const Options& options, icmp::Family family) {
  const auto warn = [](std::string_view option, std::string_view only) {
    log::error(fmt::format("warning: {} applies to {} destinations only; not used", option, only));
  };
  if (family == icmp::Family::v6) {
    if (options.record_route) warn("-R", "IPv4");
    if (options.timestamp_option) warn("-T", "IPv4");
    if (options.broadcast) warn("-b", "IPv4");
  } else if (options.flow_label && *options.flow_label != 0) {
    warn("-F", "IPv6");
  }
}

int run_ping_unguarded(const Options& options);

}  // namespace

int run_ping(const Options& options) {
  try {
    return run_ping_unguarded(options);
  } catch (const OutputError& failure) {
    // As iputils: a reader that went away ends the run silently, any other failure exits 1.
    return report_write_error(failure.error, EXIT_FAILURE, BrokenPipe::quiet);
  }
}

namespace {

int run_ping_unguarded(const Options& options) {
  log::set_program_name(options.program_name);
  if (options.verbose) log::enable_verbose();
  Output output;
  // -p's "PATTERN:" line has been printed by main before this, as iputils prints it while parsing.

  const bool raw_only = options.identifier && *options.identifier == 0;
  if (raw_only) log::verbose("WARNING: ident 0 => forcing raw socket");
  std::vector<SocketAttempt> attempts;
  std::optional<net::OpenedSocket> socket4;
  std::optional<net::OpenedSocket> socket6;
  // Open before resolving and drop every privilege right after, as iputils does: name
  // resolution and everything that follows run without privilege.
  if (options.family != icmp::Family::v6) socket4 = net::open_icmp_socket(icmp::Family::v4, attempts, raw_only);
  if (options.family != icmp::Family::v4) socket6 = net::open_icmp_socket(icmp::Family::v6, attempts, raw_only);
  // -m needs CAP_NET_ADMIN (or CAP_NET_RAW): set it while capabilities may still be held.
  int mark_error4 = 0;
  int mark_error6 = 0;
  if (options.mark) {
    if (socket4) mark_error4 = net::set_mark(socket4->fd(), *options.mark);
    if (socket6) mark_error6 = net::set_mark(socket6->fd(), *options.mark);
  }
  if (const auto failure = privileges::drop_all()) {
    log::error("cannot drop privileges: " + *failure);
    return kExitError;
  }
  load_user_charset_if_needed({options.target}, false);
  const std::string_view hints_family = !options.family ? "AF_UNSPEC" : family_name(*options.family);
  log::verbose(fmt::format("sock4.fd: {}, sock6.fd: {}, hints.ai_family: {}", socket_summary(socket4),
                           socket_summary(socket6), hints_family));

  if (socket6) {
    if (auto warning = startup::link_local_warning(options.target, socket6->mode() == SocketMode::datagram))
      log::error(*warning);
  }
  const auto resolved = resolve_target(options.target, options.family);
  const auto* failure = std::get_if<ResolveError>(&resolved);
  for (const AddrinfoEntry& seen : failure ? failure->seen : std::get<Target>(resolved).seen) {
    log::verbose(
        fmt::format("ai->ai_family: {}, ai->ai_canonname: '{}'", family_name(seen.family), seen.canonical_name));
  }
  if (failure) {
    log::error(failure->message);
    return kExitError;
  }
  const Target& target = std::get<Target>(resolved);
  const icmp::Family family = target.address.family();

  auto& chosen = family == icmp::Family::v4 ? socket4 : socket6;
  if (!chosen) {
    std::erase_if(attempts, [&](const SocketAttempt& attempt) { return attempt.family != family; });
    const auto facts = gather_permission_facts(std::move(attempts));
    const std::string text = explain_socket_failure(options.program_name, facts);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return kExitError;
  }
  warn_other_family_options(options, family);
  // -T tsprespec's hops: resolved before the route probe, which asks for the way to the first.
  const auto hops = startup::resolve_timestamp_hops(family == icmp::Family::v4 ? options.timestamp_hops
                                                                               : std::vector<std::string>{});
  if (const auto* hop_failure = std::get_if<ResolveError>(&hops)) {
    log::error(hop_failure->message);
    return kExitError;
  }
  const auto& hop_addresses = std::get<std::vector<SocketAddress>>(hops);

  std::optional<SocketAddress> source_address;  // -I given as an address
  const auto [source_text, device] = startup::split_interface_option(options.interface);
  if (!source_text.empty()) {
    const auto as_address = resolve_target(source_text, family);
    if (const auto* source = std::get_if<Target>(&as_address)) source_address = source->address;
  }
  // iputils looks an IPv6 -I device up first; a link-local source takes it as its scope.
  if (family == icmp::Family::v6 && !device.empty()) {
    const unsigned index = if_nametoindex(device.c_str());
    if (index == 0) {
      log::error("unknown iface: " + device);
      return kExitError;
    }
    if (source_address) startup::scope_source_to_device(*source_address, index);
  }

  RouteProbe route;
  if (!source_address) {
    // With -T tsprespec the way asked for is the way to the first hop.
    route = probe_route(hop_addresses.empty() ? target.address : hop_addresses.front(), device, options.tos,
                        options.broadcast);
    if (route.broadcast_refused) {
      log::error("Do you want to ping broadcast? Then -b. If not, check your local firewall rules");
      return kExitError;
    }
    if (route.failure) {
      log::error(*route.failure);
      return kExitError;
    }
    if (route.broadcast) {
      std::fputs("WARNING: pinging broadcast address\n", stderr);
      std::fflush(stderr);
    }
    if (!device.empty() && route.source) {
      const auto warning = startup::source_device_warning(startup::interface_addresses(), device, *route.source);
      if (warning) log::error(*warning);
    }
  }
  // iputils reports a refused SO_MARK once, where it first tries it (its route probe), then
  // leaves the mark alone.
  const int mark_error = family == icmp::Family::v4 ? mark_error4 : mark_error6;
  if (options.mark && mark_error != 0) {
    log::error(fmt::format("WARNING: failed to set mark: {}: {}", *options.mark, std::strerror(mark_error)));
    if (mark_error == EPERM) {
      log::error("=> missing cap_net_admin+p or cap_net_raw+p (since Linux 5.17) capability?");
    }
  }

  StartFacts facts;
  facts.family = family;
  facts.target = target.address;
  facts.device = device;
  facts.source_address = source_address;
  facts.route_source = route.source;
  facts.timestamp_hops = hop_addresses;
  facts.multicast = options.broadcast || is_multicast(target.address);
  facts.root = getuid() == 0;
  const auto settings = socket_settings_for(options, facts);
  if (const auto* refused = std::get_if<std::string>(&settings)) {
    log::error(*refused);
    return kExitError;
  }

  std::string configure_error;
  const auto raw_identifier = options.identifier ? *options.identifier : static_cast<std::uint16_t>(getpid() & 0xffff);
  const auto identifier = net::configure_socket(
      chosen->fd(), family, chosen->mode(), std::get<net::SocketSettings>(settings), raw_identifier, configure_error);
  if (!identifier) {
    log::error(configure_error);
    return kExitError;
  }
  {
    int granted = 0;
    socklen_t length = sizeof granted;
    if (getsockopt(chosen->fd(), SOL_SOCKET, SO_RCVBUF, &granted, &length) == 0 &&
        granted < receive_buffer_for(options, family)) {
      log::error("WARNING: probably, rcvbuf is not enough to hold preload");
    }
  }

  report::Header header;
  header.family = family;
  header.name = target.display_name;
  header.address = target.numeric;
  header.payload_size = options.payload_size;
  header.ip_options_size = family == icmp::Family::v4 ? ip_options_size(options) : 0;
  if (!options.interface.empty() || options.strict_source) {
    const auto& shown = source_address ? source_address : route.source;
    header.source = shown ? numeric_host(*shown) : std::string(family == icmp::Family::v4 ? "0.0.0.0" : "::");
    header.device = device;
  }
  if (family == icmp::Family::v6) header.flow_label = options.flow_label;
  output.add(report::header_line(header));
  output.flush();

  if (const auto violation = user_limit_violation(options, getuid() == 0)) {
    log::error(*violation);
    return kExitError;
  }
  if (options.connect_socket && ::connect(chosen->fd(), target.address.get(), target.address.length) != 0) {
    log::error(std::string("connect failed: ") + std::strerror(errno));
    return kExitError;
  }

  asio::io_context io(1);
  net::Endpoint endpoint(io, std::move(*chosen), family, *identifier, options.payload_size, net::whole_datagram_room());
  SessionPlan plan;
  plan.multicast = facts.multicast;
  if (family == icmp::Family::v6 && options.flow_label) plan.flow_label = *options.flow_label;
  return run_session(io, endpoint, plan, target, options, output);
}

}  // namespace
}  // namespace uping
