#include <arpa/inet.h>
#include <net/if.h>

#include <string>

#include <catch2/catch.hpp>

#include "ping/startup.hpp"

namespace {

using namespace uping::startup;

uping::SocketAddress v6(const char* text, unsigned scope = 0) {
  uping::SocketAddress address;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  sin6->sin6_family = AF_INET6;
  REQUIRE(inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1);
  sin6->sin6_scope_id = scope;
  address.length = sizeof *sin6;
  return address;
}

uping::SocketAddress v4(const char* text) {
  uping::SocketAddress address;
  auto* sin = reinterpret_cast<sockaddr_in*>(&address.storage);
  sin->sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, text, &sin->sin_addr) == 1);
  address.length = sizeof *sin;
  return address;
}

}  // namespace

TEST_CASE("option -I is read as iputils reads it: IPv6 source with its %device, IPv4 source, or device") {
  auto choice = split_interface_option("fe80::66%veth0");
  CHECK(choice.source == "fe80::66");
  CHECK(choice.device == "veth0");
  choice = split_interface_option("2001:db8::1");
  CHECK(choice.source == "2001:db8::1");
  CHECK(choice.device.empty());
  choice = split_interface_option("198.51.100.1");
  CHECK(choice.source == "198.51.100.1");
  CHECK(choice.device.empty());
  choice = split_interface_option("lo");
  CHECK(choice.source.empty());
  CHECK(choice.device == "lo");
}

TEST_CASE("a link-local IPv6 destination without scope gets iputils' warning on a datagram socket") {
  const std::string warning =
      "Warning: IPv6 link-local address on ICMP datagram socket may require ifname or scope-id"
      " => use: address%<ifname|scope-id>";
  CHECK(link_local_warning("fe80::65", true) == warning);
  CHECK(link_local_warning("ff02::1", true) == warning);  // link-local multicast too
  CHECK_FALSE(link_local_warning("fe80::65%veth0", true));
  CHECK_FALSE(link_local_warning("fe80::65%2", true));
  CHECK_FALSE(link_local_warning("fe80::65", false));  // a raw socket: no warning
  CHECK_FALSE(link_local_warning("2001:db8::5", true));
  CHECK_FALSE(link_local_warning("ff05::1", true));  // site-local multicast
  CHECK_FALSE(link_local_warning("127.0.0.1", true));
  CHECK_FALSE(link_local_warning("fe80.example", true));  // a name: iputils checks literals only
}

TEST_CASE("a link-local -I source takes its device's index as scope; other sources stay as they are") {
  auto source = v6("fe80::66");
  CHECK(scope_source_to_device(source, 7));
  CHECK(reinterpret_cast<const sockaddr_in6*>(&source.storage)->sin6_scope_id == 7);
  auto global = v6("2001:db8::1");
  CHECK_FALSE(scope_source_to_device(global, 7));
  CHECK(reinterpret_cast<const sockaddr_in6*>(&global.storage)->sin6_scope_id == 0);
  auto unknown = v6("fe80::66");
  CHECK_FALSE(scope_source_to_device(unknown, 0));
  auto ipv4 = v4("127.0.0.1");
  CHECK_FALSE(scope_source_to_device(ipv4, 7));
}

TEST_CASE("option -I <device>: a source the kernel chose on another device is warned about, as iputils does") {
  const std::vector<InterfaceAddress> addresses = {
      {"lo", v4("127.0.0.1")}, {"lo", v6("::1")}, {"veth0", v4("203.0.113.1")}, {"veth0", v6("fe80::66", 3)}};
  const std::string warning = "Warning: source address might be selected on device other than: lo";
  CHECK_FALSE(source_device_warning(addresses, "lo", v4("127.0.0.1")));
  CHECK_FALSE(source_device_warning(addresses, "lo", v6("::1")));
  CHECK(source_device_warning(addresses, "lo", v4("203.0.113.1")) == warning);
  CHECK_FALSE(source_device_warning(addresses, "veth0", v6("fe80::66")));  // scope ignored
  // The unspecified source of a link-local destination's probe is on no device.
  CHECK(source_device_warning(addresses, "veth0", v6("::")) ==
        "Warning: source address might be selected on device other than: veth0");
  CHECK_FALSE(source_device_warning(addresses, "", v4("203.0.113.1")));  // no -I device
}

TEST_CASE("option -T tsprespec's option lists each hop's address with room for its stamp, as iputils") {
  uping::Options options;
  options.timestamp_option = uping::TimestampOption::tsprespec;
  CHECK(ip_option_bytes(options) == std::vector<std::uint8_t>{68, 4, 5, 3});
  const auto bytes = ip_option_bytes(options, {v4("127.0.0.2"), v4("127.0.0.3")});
  CHECK(bytes == std::vector<std::uint8_t>{68, 20, 5, 3, 127, 0, 0, 2, 0, 0, 0, 0, 127, 0, 0, 3, 0, 0, 0, 0});
  options.timestamp_option = uping::TimestampOption::tsandaddr;
  CHECK(ip_option_bytes(options, {v4("127.0.0.2")}).size() == 36);  // hops only for tsprespec
  CHECK(ip_option_bytes(options, {v4("127.0.0.2")})[1] == 36);
}
