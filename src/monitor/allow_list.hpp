#pragma once
// --probe-allow: the address blocks /probe may send to. Pure. An empty list allows nothing.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/targets.hpp"
#include "uping/address.hpp"

namespace uping::monitor {

struct Cidr {
  targets::IpAddress network;  // host bits cleared
  unsigned prefix = 0;         // 0..32 or 0..128
};

// "198.51.100.0/24", "2001:db8::/32", or a single address (a /32 or /128). Host bits after the
// prefix are refused ("198.51.100.7/24"): an allow-list is security, a typo must not widen it.
// The error is one line naming the text.
std::variant<Cidr, std::string> parse_cidr(std::string_view text);

class AllowList {
 public:
  void add(const Cidr& block) { blocks_.push_back(block); }
  bool empty() const noexcept { return blocks_.empty(); }
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it is.
  bool contains(const SocketAddress& address) const noexcept;
  const std::vector<Cidr>& blocks() const noexcept { return blocks_; }

 private:
  std::vector<Cidr> blocks_;
};

}  // namespace uping::monitor
