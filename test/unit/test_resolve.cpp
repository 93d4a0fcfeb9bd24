#include <net/if.h>
#include <netinet/in.h>

#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "system/resolve.hpp"

// Address literals only: getaddrinfo answers them without any resolver.

TEST_CASE("option -4 with an IPv4-mapped IPv6 address is refused, as iputils refuses it") {
  const auto resolved = uping::resolve_target("::ffff:127.0.0.1", uping::icmp::Family::v4);
  const auto* failure = std::get_if<uping::ResolveError>(&resolved);
  REQUIRE(failure != nullptr);
  CHECK(failure->message == "::ffff:127.0.0.1: Address family for hostname not supported");
  REQUIRE(failure->seen.size() == 1);  // what -v lists before the error
  CHECK(failure->seen[0].family == uping::icmp::Family::v6);
  // Without -4 it is the IPv6 address it is.
  const auto plain = uping::resolve_target("::ffff:127.0.0.1", std::nullopt);
  REQUIRE(std::holds_alternative<uping::Target>(plain));
  CHECK(std::get<uping::Target>(plain).address.family() == uping::icmp::Family::v6);
}

TEST_CASE("a scoped link-local literal keeps its scope, and an IPv6 target is named as typed") {
  const unsigned loopback = if_nametoindex("lo");
  REQUIRE(loopback != 0);
  const auto resolved = uping::resolve_target("fe80::1%lo", uping::icmp::Family::v6);
  REQUIRE(std::holds_alternative<uping::Target>(resolved));
  const auto& target = std::get<uping::Target>(resolved);
  CHECK(reinterpret_cast<const sockaddr_in6*>(&target.address.storage)->sin6_scope_id == loopback);
  CHECK(target.display_name == "fe80::1%lo");
  CHECK(target.typed_as_address);
}

TEST_CASE("option -v's list: the answers looked at, with their canonical names") {
  const auto resolved = uping::resolve_target("127.0.0.1", std::nullopt);
  REQUIRE(std::holds_alternative<uping::Target>(resolved));
  const auto& seen = std::get<uping::Target>(resolved).seen;
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].family == uping::icmp::Family::v4);
  CHECK(seen[0].canonical_name == "127.0.0.1");
}
