// fping 5.5's counters, driven by the engine's events (stub: filled in next).

#include "fping/book.hpp"

#include <utility>

namespace uping::fping {

Book::Book(const FpingOptions& options, std::vector<Target> targets, std::size_t unknown_addresses)
    : options_(options), targets_(std::move(targets)), unknown_addresses_(unknown_addresses) {}

Emission Book::sent(std::size_t /*target*/, std::uint32_t /*seq*/) { return {}; }
Emission Book::send_failed(std::size_t /*target*/, std::uint32_t /*seq*/, int /*error*/) { return {}; }
Emission Book::reply(std::size_t /*target*/, std::uint32_t /*seq*/, Nanos /*rtt*/, std::size_t /*icmp_bytes*/,
                     const std::string& /*from*/, WallClock /*now*/, std::optional<int> /*ttl*/,
                     std::optional<int> /*tos*/) {
  return {};
}
Emission Book::duplicate(std::size_t /*target*/, std::uint32_t /*seq*/, Nanos /*rtt*/, std::size_t /*icmp_bytes*/,
                         const std::string& /*from*/, WallClock /*now*/) {
  return {};
}
Emission Book::timeout(std::size_t /*target*/, std::uint32_t /*seq*/, WallClock /*now*/) { return {}; }
Emission Book::icmp_error(std::size_t /*target*/, std::uint32_t /*seq*/, const IcmpErrorReport& /*error*/) {
  return {};
}
Emission Book::interval_report(WallClock /*now*/) { return {}; }
Emission Book::finish(Nanos /*elapsed*/) { return {}; }
int Book::exit_code() const { return kExitAllAlive; }
std::size_t Book::alive_targets() const { return 0; }
bool Book::target_alive(std::size_t /*target*/) const { return false; }

Emission name_error(const FpingOptions& /*options*/, const std::string& /*name*/, const std::string& /*message*/) {
  return {};
}

std::string format_ms(Nanos /*ns*/) { return {}; }

}  // namespace uping::fping
