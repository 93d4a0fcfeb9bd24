#pragma once
// The blocking convenience call: ping one target until enough replies came or a deadline passed
// (what a health check needs). It runs its own io_context and opens its own socket on the calling
// thread, and returns everything that happened as a value: it never throws for a network
// condition (only std::bad_alloc), takes no signal, prints nothing, never exits. Calls on
// different threads are independent.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "uping/address.hpp"
#include "uping/icmp.hpp"
#include "uping/pinger.hpp"
#include "uping/socket_types.hpp"

namespace uping {

struct PingOptions {
  // The whole call, opening included; every probe counts as answered until then.
  std::chrono::nanoseconds deadline = std::chrono::seconds(1);
  std::uint32_t count = 1;  // probes at most (the first at once, then one per interval)
  std::chrono::nanoseconds interval = std::chrono::milliseconds(100);
  std::uint32_t replies_wanted = 1;  // the call returns as soon as this many replies came
  std::size_t payload_size = 56;
  std::optional<int> ttl;
  // Only for a name: the family to resolve it to (both asked, the first answer taken otherwise).
  std::optional<icmp::Family> family;
};

struct PingResult {
  // Why nothing could be sent: "" when probes went out; otherwise the name did not resolve
  // ("cannot resolve (Name or service not known)") or no socket opened ("no ICMP socket (...)";
  // explain_open_failure(attempts) says why and what fixes it).
  std::string error;
  std::optional<SocketAddress> target;  // the address pinged
  std::vector<SocketAttempt> attempts;  // the socket's opening
  std::optional<SocketMode> mode;
  std::uint32_t sent = 0;      // probes that left
  std::vector<Reply> replies;  // first answers, in arrival order (RTTs in each)
  std::uint32_t duplicates = 0;
  std::vector<IcmpError> icmp_errors;
  std::vector<SendFailure> send_failures;
  std::uint32_t timeouts = 0;  // probes still unanswered when the call returned
  std::chrono::nanoseconds elapsed{0};

  // Reached: at least `replies_wanted` replies (see ping()).
  bool reached = false;
};

// Pings `target` with `options`. Returns when options.replies_wanted replies came (reached), when
// every probe was settled and none is left to send, or at the deadline, whichever is first. An
// ICMP error or a send failure settles its probe; the next probe still goes out on time.
PingResult ping(const SocketAddress& target, const PingOptions& options = {});
// The same for a host name or numeric address. The name is resolved first (getaddrinfo, which
// may wait on a name server beyond the deadline: give an address where that matters).
PingResult ping(const std::string& host, const PingOptions& options = {});

}  // namespace uping
