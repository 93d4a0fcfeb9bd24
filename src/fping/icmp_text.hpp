#pragma once
// fping 5.5's words for an ICMP error quoting one of its echo requests (src/fping.c decode_icmp_ipv4 and
// decode_icmp_ipv6, the latter per fping #391), printed on stderr unless -q.

#include <optional>
#include <string>
#include <string_view>

#include "fping/book.hpp"

namespace uping::fping {

// The whole line ("… from {router} for ICMP Echo sent to {host}\n"), or nothing for an IPv4 type fping
// ignores (then it is not counted as "other ICMP received" either).
std::optional<std::string> icmp_error_line(const IcmpErrorReport& error, std::string_view host);

}  // namespace uping::fping
