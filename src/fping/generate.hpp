#pragma once
// fping's -g: the addresses of a CIDR block or of a start-end range, IPv4 or IPv6, with fping 5.5's
// limits and messages. Pure: numeric addresses only (getaddrinfo with AI_NUMERICHOST, as fping).

#include <string>
#include <string_view>
#include <vector>

#include "fping/options.hpp"

namespace uping::fping {

struct Generated {
  std::vector<std::string> addresses;
  std::string err;     // fping's message, when the block or range is refused
  bool usage = false;  // fping answers with its usage text (a CIDR without '/' or a bad prefix length)
  bool ok() const { return err.empty() && !usage; }
};

// fping -g generates at most this many addresses.
inline constexpr unsigned long kMaxGenerate = 131072;

Generated generate_cidr(std::string_view program_name, std::string_view cidr, AddressFamily family);
Generated generate_range(std::string_view program_name, std::string_view start, std::string_view end,
                         AddressFamily family);

}  // namespace uping::fping
