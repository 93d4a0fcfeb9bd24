#pragma once
// The peer's command line: where to run, when to stop, and a scenario per address family.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "packet.hpp"

namespace peer {

// ICMP errors the peer can answer with, by meaning; each family maps them to its own type and code.
enum class ErrorKind : std::uint8_t {
  net_unreachable,   // IPv4 3/0 net unreachable;   IPv6 1/0 no route
  host_unreachable,  // IPv4 3/1 host unreachable;  IPv6 1/3 address unreachable
  time_exceeded,     // IPv4 11/0 TTL exceeded;     IPv6 3/0 hop limit exceeded
  frag_needed,       // IPv4 3/4 frag needed, MTU;  IPv6 2/0 packet too big, MTU
};
inline constexpr std::uint16_t kErrorMtu = 1280;

enum class ForgedTimestamp : std::uint8_t { none, future, past, alternate };

// What the peer does to the requests of one family. Every counter ("every N") is per family and
// counts from 1, so "--drop-every 2" drops the 2nd, 4th, ... request.
struct Scenario {
  std::uint32_t drop_every = 0;  // 0: drop nothing
  std::uint32_t duplicate = 0;   // extra copies of each reply
  std::uint32_t delay_ms = 0;
  std::uint32_t jitter_ms = 0;               // delay drawn uniformly from [delay - jitter, delay + jitter]
  std::uint32_t corrupt_checksum_every = 0;  // counts reply packets written (duplicates included)
  std::optional<std::size_t> truncate_to;    // reply payload cut to at most this many bytes
  std::size_t oversize = 0;                  // extra payload bytes appended to each reply
  ForgedTimestamp forge_timestamp = ForgedTimestamp::none;
  bool wrong_id = false;                // reply identifier = request identifier + 1
  bool wrong_seq = false;               // reply sequence = request sequence + 1000
  std::optional<ErrorKind> error;       // answer with this error instead of a reply
  std::uint32_t error_every = 1;        // ... for every Nth request only (others get replies)
  std::uint32_t flood_unsolicited = 0;  // unsolicited echo replies per request
  bool unsolicited_same_id = false;     // flood with the request's identifier (else a random other one)
  std::uint8_t ttl = 64;                // TTL / hop limit of everything the peer sends
};

struct Options {
  std::string device;
  std::string truth_path;  // empty: no truth file; "-": standard output
  std::string ready_path;  // created once the device is up and configured
  bool configure = true;   // assign addresses and routes (else the caller does)
  bool verbose = false;    // every event also on stderr as it happens
  std::uint32_t timeout_s = 30;
  std::uint64_t exit_after_requests = 0;  // 0: never
  std::uint64_t seed = 1;
  Scenario v4;
  Scenario v6;

  const Scenario& scenario(Family family) const { return family == Family::v4 ? v4 : v6; }
};

struct ShowHelp {};
struct UsageError {
  std::string message;
};

std::variant<Options, ShowHelp, UsageError> parse_options(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace peer
