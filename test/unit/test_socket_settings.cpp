#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "ping/socket_settings.hpp"

namespace {

using uping::Options;
using uping::SocketAddress;
using uping::StartFacts;
using uping::net::SocketSettings;

SocketAddress v4(const char* text) {
  SocketAddress address;
  auto* sin = reinterpret_cast<sockaddr_in*>(&address.storage);
  sin->sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, text, &sin->sin_addr) == 1);
  address.length = sizeof *sin;
  return address;
}

SocketAddress v6(const char* text) {
  SocketAddress address;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  sin6->sin6_family = AF_INET6;
  REQUIRE(inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1);
  address.length = sizeof *sin6;
  return address;
}

StartFacts facts_for(const SocketAddress& target) {
  StartFacts facts;
  facts.family = target.family();
  facts.target = target;
  return facts;
}

SocketSettings settings_of(const Options& options, const StartFacts& facts) {
  auto result = uping::socket_settings_for(options, facts);
  if (const auto* refused = std::get_if<std::string>(&result)) FAIL("refused: " << *refused);
  return std::get<SocketSettings>(result);
}

std::string refusal_of(const Options& options, const StartFacts& facts) {
  auto result = uping::socket_settings_for(options, facts);
  REQUIRE(std::holds_alternative<std::string>(result));
  return std::get<std::string>(result);
}

}  // namespace

TEST_CASE("socket settings: the defaults ask for nothing but the receive buffer and kernel timestamps") {
  const auto settings = settings_of(Options{}, facts_for(v4("203.0.113.1")));
  CHECK_FALSE(settings.ttl);
  CHECK(settings.interface.empty());
  CHECK_FALSE(settings.source);
  CHECK_FALSE(settings.identifier);
  CHECK_FALSE(settings.tos);
  CHECK_FALSE(settings.pmtu);
  CHECK_FALSE(settings.sndbuf);
  CHECK(settings.rcvbuf == 65536);  // iputils' estimate for one probe is smaller: the floor
  CHECK_FALSE(settings.so_debug);
  CHECK_FALSE(settings.dont_route);
  CHECK_FALSE(settings.broadcast);
  CHECK_FALSE(settings.no_loop);
  CHECK(settings.kernel_timestamps);
  CHECK(settings.ip_options.empty());
  CHECK_FALSE(settings.flow_label);
}

TEST_CASE("socket settings: each option maps to its socket option") {
  Options options;
  options.ttl = 7;
  options.identifier = 4242;
  options.tos = 0x10;
  options.sndbuf = 8192;
  options.so_debug = true;
  options.dont_route = true;
  options.no_loop = true;
  options.latency = true;
  options.pmtu = uping::PmtuDiscovery::dont;
  auto facts = facts_for(v4("203.0.113.1"));
  facts.device = "veth0";
  const auto settings = settings_of(options, facts);
  CHECK(settings.ttl == 7);
  CHECK(settings.identifier == 4242);
  CHECK(settings.tos == 0x10);
  CHECK(settings.sndbuf == 8192);
  CHECK(settings.so_debug);
  CHECK(settings.dont_route);
  CHECK(settings.no_loop);
  CHECK_FALSE(settings.kernel_timestamps);  // -U
  CHECK(settings.pmtu == IP_PMTUDISC_DONT);
  CHECK(settings.interface == "veth0");

  options.pmtu = uping::PmtuDiscovery::probe;
  CHECK(settings_of(options, facts_for(v6("2001:db8::1"))).pmtu == IPV6_PMTUDISC_PROBE);
  options.pmtu = uping::PmtuDiscovery::do_;
  CHECK(settings_of(options, facts).pmtu == IP_PMTUDISC_DO);
  options.pmtu = uping::PmtuDiscovery::want;
  CHECK(settings_of(options, facts).pmtu == IP_PMTUDISC_WANT);
}

TEST_CASE("socket settings: the receive buffer is iputils' estimate for the preload, at least 64 KiB") {
  Options options;
  options.preload = 1000;
  // iputils' sock_setbufs: (56 + 8) bytes, one 512-byte unit of (20 + 16 + 64 + 160) overhead.
  CHECK(uping::receive_buffer_for(options, uping::icmp::Family::v4) == (64 + 260) * 1000);
  CHECK(uping::receive_buffer_for(options, uping::icmp::Family::v6) == (64 + 280) * 1000);
  options.record_route = true;  // 40 bytes of IP options per packet
  CHECK(uping::receive_buffer_for(options, uping::icmp::Family::v4) == (64 + 300) * 1000);
  CHECK(settings_of(options, facts_for(v4("203.0.113.1"))).rcvbuf == (64 + 300) * 1000);
  options.preload = 1;
  CHECK(settings_of(options, facts_for(v4("203.0.113.1"))).rcvbuf == 65536);
}

TEST_CASE("socket settings: -I with an address binds to it, -B to the route's source") {
  Options options;
  auto facts = facts_for(v4("203.0.113.1"));
  facts.route_source = v4("198.51.100.2");
  CHECK_FALSE(settings_of(options, facts).source);  // the route's source alone binds nothing
  options.strict_source = true;
  auto settings = settings_of(options, facts);
  REQUIRE(settings.source);
  CHECK(settings.source->same_host(v4("198.51.100.2")));
  facts.source_address = v4("198.51.100.9");  // -I's address wins
  settings = settings_of(options, facts);
  REQUIRE(settings.source);
  CHECK(settings.source->same_host(v4("198.51.100.9")));
}

TEST_CASE("socket settings: -R and -T are IPv4 option bytes, -F an IPv6 flow label for the target") {
  Options options;
  options.record_route = true;
  auto settings = settings_of(options, facts_for(v4("203.0.113.1")));
  CHECK(settings.ip_options.size() == 40);
  CHECK(settings.ip_options[1] == 7);  // record route
  CHECK_FALSE(settings.ip_options_timestamp);
  CHECK(settings_of(options, facts_for(v6("2001:db8::1"))).ip_options.empty());

  options.record_route = false;
  options.timestamp_option = uping::TimestampOption::tsprespec;
  auto facts = facts_for(v4("203.0.113.1"));
  facts.timestamp_hops = {v4("198.51.100.1")};
  settings = settings_of(options, facts);
  CHECK(settings.ip_options_timestamp);
  CHECK(settings.ip_options[0] == 68);
  CHECK(settings.ip_options[1] == 12);  // one hop listed

  Options flow;
  flow.flow_label = 0x12345;
  settings = settings_of(flow, facts_for(v6("2001:db8::1")));
  CHECK(settings.flow_label == 0x12345u);
  REQUIRE(settings.flow_destination);
  CHECK(settings.flow_destination->same_host(v6("2001:db8::1")));
  CHECK_FALSE(settings_of(flow, facts_for(v4("203.0.113.1"))).flow_label);
}

TEST_CASE("socket settings: -b sets SO_BROADCAST for IPv4 only") {
  Options options;
  options.broadcast = true;
  options.interval_seconds = 1.0;
  auto facts = facts_for(v4("203.0.113.255"));
  facts.multicast = true;
  CHECK(settings_of(options, facts).broadcast);
  CHECK_FALSE(settings_of(options, facts_for(v6("2001:db8::1"))).broadcast);
}

TEST_CASE("socket settings: a broadcast or multicast IPv4 ping does not fragment") {
  Options options;
  auto facts = facts_for(v4("203.0.113.255"));
  facts.multicast = true;
  CHECK(settings_of(options, facts).pmtu == IP_PMTUDISC_DO);
  facts.root = true;
  options.pmtu = uping::PmtuDiscovery::want;  // root may choose
  CHECK(settings_of(options, facts).pmtu == IP_PMTUDISC_WANT);
  // IPv6 multicast: no such rule.
  auto v6_facts = facts_for(v6("ff02::1"));
  v6_facts.multicast = true;
  CHECK_FALSE(settings_of(Options{}, v6_facts).pmtu);
}

TEST_CASE("socket settings: a user's broadcast ping is refused faster than once a second or with -M other than do") {
  Options options;
  auto facts = facts_for(v4("203.0.113.255"));
  facts.multicast = true;
  options.interval_seconds = 0.999;
  CHECK(refusal_of(options, facts) ==
        "minimal interval for broadcast ping for user must be >= 1000 ms, use -i 1 (or higher)");
  options.interval_seconds = 1.0;
  options.pmtu = uping::PmtuDiscovery::dont;
  CHECK(refusal_of(options, facts) == "broadcast ping does not fragment");
  options.pmtu = uping::PmtuDiscovery::do_;
  CHECK(settings_of(options, facts).pmtu == IP_PMTUDISC_DO);
  facts.root = true;  // root is not limited
  options.interval_seconds = 0.2;
  options.pmtu = uping::PmtuDiscovery::dont;
  CHECK(settings_of(options, facts).pmtu == IP_PMTUDISC_DONT);
}
