// --probe-allow: CIDR blocks parsed strictly (host bits, prefix range, junk refused in one line),
// and membership with IPv4-mapped IPv6 addresses judged as IPv4.
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "cli/targets.hpp"
#include "monitor/allow_list.hpp"

using uping::SocketAddress;
using uping::icmp::Family;
using uping::monitor::AllowList;
using uping::monitor::Cidr;
using uping::monitor::parse_cidr;

namespace {

Cidr cidr(std::string_view text) {
  auto parsed = parse_cidr(text);
  INFO(text);
  REQUIRE(std::holds_alternative<Cidr>(parsed));
  return std::get<Cidr>(parsed);
}

std::string error_of(std::string_view text) {
  auto parsed = parse_cidr(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::string>(parsed));
  return std::get<std::string>(parsed);
}

SocketAddress address(std::string_view text) {
  const auto ip = uping::targets::parse_address(text);
  REQUIRE(ip);
  return uping::targets::to_socket_address(*ip);
}

AllowList list_of(std::initializer_list<std::string_view> blocks) {
  AllowList list;
  for (const auto block : blocks) list.add(cidr(block));
  return list;
}

}  // namespace

TEST_CASE("monitor allow list: blocks and single addresses", "[monitor]") {
  const Cidr v4 = cidr("198.51.100.0/24");
  CHECK(v4.network == *uping::targets::parse_address("198.51.100.0"));
  CHECK(v4.prefix == 24);
  CHECK(cidr("203.0.113.9").prefix == 32);
  CHECK(cidr("2001:db8::1").prefix == 128);
  const Cidr v6 = cidr("2001:db8::/32");
  CHECK(v6.network.family == Family::v6);
  CHECK(v6.prefix == 32);
  CHECK(cidr("0.0.0.0/0").prefix == 0);
  CHECK(cidr("::/0").prefix == 0);
  CHECK(cidr("198.51.100.7/32").prefix == 32);
  CHECK(cidr("2001:db8::7/128").prefix == 128);
}

TEST_CASE("monitor allow list: an IPv4-mapped block is the IPv4 block", "[monitor]") {
  const Cidr mapped = cidr("::ffff:198.51.100.0/120");
  CHECK(mapped.network == *uping::targets::parse_address("198.51.100.0"));
  CHECK(mapped.prefix == 24);
}

TEST_CASE("monitor allow list: host bits, prefixes out of range and junk are refused in one line", "[monitor]") {
  CHECK(error_of("198.51.100.7/24") ==
        "198.51.100.7/24: host bits set after the /24 prefix (the block would be 198.51.100.0/24)");
  CHECK(error_of("2001:db8::1/32") ==
        "2001:db8::1/32: host bits set after the /32 prefix (the block would be 2001:db8::/32)");
  CHECK(error_of("1.2.3.4/0") == "1.2.3.4/0: host bits set after the /0 prefix (the block would be 0.0.0.0/0)");
  CHECK(error_of("198.51.100.0/33") == "198.51.100.0/33: prefix length must be 0 to 32");
  CHECK(error_of("2001:db8::/129") == "2001:db8::/129: prefix length must be 0 to 128");
  CHECK(error_of("198.51.100.0/") == "198.51.100.0/: prefix length must be 0 to 32");
  CHECK(error_of("198.51.100.0/-1") == "198.51.100.0/-1: prefix length must be 0 to 32");
  CHECK(error_of("198.51.100.0/+8") == "198.51.100.0/+8: prefix length must be 0 to 32");
  CHECK(error_of("198.51.100.0/0024") == "198.51.100.0/0024: prefix length must be 0 to 32");
  CHECK(error_of("198.51.100.0/24 ") == "198.51.100.0/24 : prefix length must be 0 to 32");
  CHECK(error_of("198.51.100.0/24/8") == "198.51.100.0/24/8: prefix length must be 0 to 32");
  CHECK(error_of("") == ": not an IPv4 or IPv6 address (or CIDR block)");
  CHECK(error_of("/24") == "/24: not an IPv4 or IPv6 address (or CIDR block)");
  CHECK(error_of("example.com/24") == "example.com/24: not an IPv4 or IPv6 address (or CIDR block)");
  CHECK(error_of("198.51.100") == "198.51.100: not an IPv4 or IPv6 address (or CIDR block)");
  CHECK(error_of("fe80::1%eth0") == "fe80::1%eth0: not an IPv4 or IPv6 address (or CIDR block)");
  // Whatever the text holds, the message stays one printable line of bounded length.
  const std::string hostile = "1.2.3\n4\x1b[31m/" + std::string(500, 'x');
  const std::string message = error_of(hostile);
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(message.size() < 150);
}

TEST_CASE("monitor allow list: membership", "[monitor]") {
  const AllowList list = list_of({"198.51.100.0/24", "203.0.113.7", "2001:db8:1::/48"});
  CHECK(list.contains(address("198.51.100.0")));
  CHECK(list.contains(address("198.51.100.255")));
  CHECK_FALSE(list.contains(address("198.51.101.0")));
  CHECK_FALSE(list.contains(address("198.51.99.255")));
  CHECK(list.contains(address("203.0.113.7")));
  CHECK_FALSE(list.contains(address("203.0.113.6")));
  CHECK_FALSE(list.contains(address("203.0.113.8")));
  CHECK(list.contains(address("2001:db8:1::1")));
  CHECK(list.contains(address("2001:db8:1:ffff:ffff:ffff:ffff:ffff")));
  CHECK_FALSE(list.contains(address("2001:db8:2::1")));
  // An IPv4 block never matches an IPv6 address that merely has the same low bits.
  CHECK_FALSE(list.contains(address("::c633:6401")));  // ::198.51.100.1 (IPv4-compatible, not mapped)
  CHECK(list.blocks().size() == 3);
  CHECK_FALSE(list.empty());
}

TEST_CASE("monitor allow list: an IPv4-mapped IPv6 address is judged as IPv4", "[monitor]") {
  const AllowList v4 = list_of({"198.51.100.0/24"});
  CHECK(v4.contains(address("::ffff:198.51.100.9")));
  CHECK_FALSE(v4.contains(address("::ffff:198.51.101.9")));
  // An IPv6 block covering the mapped range does not let an IPv4 address in by the back door.
  const AllowList v6_all = list_of({"::/0"});
  CHECK_FALSE(v6_all.contains(address("::ffff:127.0.0.1")));
  CHECK(v6_all.contains(address("2001:db8::1")));
  CHECK_FALSE(v6_all.contains(address("127.0.0.1")));
  const AllowList mapped_block = list_of({"::ffff:127.0.0.0/104"});
  CHECK(mapped_block.contains(address("127.0.0.1")));
  CHECK(mapped_block.contains(address("::ffff:127.1.2.3")));
}

TEST_CASE("monitor allow list: /0 and the empty list", "[monitor]") {
  const AllowList empty;
  CHECK(empty.empty());
  CHECK_FALSE(empty.contains(address("198.51.100.1")));
  const AllowList all_v4 = list_of({"0.0.0.0/0"});
  CHECK(all_v4.contains(address("198.51.100.1")));
  CHECK(all_v4.contains(address("255.255.255.255")));
  CHECK_FALSE(all_v4.contains(address("2001:db8::1")));
  const AllowList all_v6 = list_of({"::/0"});
  CHECK(all_v6.contains(address("::1")));
}

TEST_CASE("monitor allow list: a link-local address with a scope, and an address of no family", "[monitor]") {
  const AllowList list = list_of({"fe80::/10"});
  SocketAddress scoped = address("fe80::1");
  sockaddr_in6 sin6{};
  std::memcpy(&sin6, &scoped.storage, sizeof sin6);
  sin6.sin6_scope_id = 3;
  std::memcpy(&scoped.storage, &sin6, sizeof sin6);
  CHECK(list.contains(scoped));
  const AllowList everything = list_of({"0.0.0.0/0", "::/0"});
  CHECK_FALSE(everything.contains(SocketAddress{}));  // AF_UNSPEC
}
