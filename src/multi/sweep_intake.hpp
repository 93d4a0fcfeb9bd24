#pragma once
// Where a sweep's targets come in: taken from the sources one at a time, addresses at once and
// names through the resolver pool, so that the thread pacing the probes never waits on a name
// server. At most kMaxLookups names are being resolved at a time, and no target is taken while
// that many are; an endless --file is read ahead by at most targets::kMaxQueued (target_reader.hpp).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/targets.hpp"
#include "system/resolve.hpp"
#include "system/resolver_pool.hpp"

namespace uping::sweep {

// A target taken from the sources.
struct TakenTarget {
  std::string text;          // as given
  SocketAddress address;     // when resolved
  std::string address_text;  // the numeric address probed, canonical (inet_ntop); empty if unresolved
  bool literal = false;      // given as an address
  std::string error;         // why it cannot be probed: its name did not resolve
};

class Intake {
 public:
  static constexpr std::size_t kMaxLookups = 64;

  // `on_ready` runs (on the loop's thread) when a lookup has finished: a target may be ready. A
  // file read in the background (target_reader.hpp) must be given the same wake-up.
  Intake(boost::asio::io_context& io, targets::TargetStream& stream, std::optional<icmp::Family> family,
         std::function<void()> on_ready);

  // The next target ready to probe (or whose name failed), or nothing for now.
  std::optional<TakenTarget> next();
  // Whether next() would give a target now.
  bool ready_now() const noexcept;
  // Nothing more will come: the sources are exhausted and every target handed out.
  bool exhausted() const noexcept;
  // The targets taken from the sources but never handed out (waiting for a lookup, resolving, or
  // resolved), in the order taken. Those still resolving have no address.
  std::vector<TakenTarget> take_unprobed();

 private:
  void start_lookup(std::string name);

  targets::TargetStream& stream_;
  std::optional<icmp::Family> family_;
  std::function<void()> on_ready_;
  bool stream_done_ = false;
  std::optional<std::string> waiting_;              // a name taken while kMaxLookups were running
  std::map<std::uint64_t, std::string> resolving_;  // by order taken
  std::deque<std::pair<std::uint64_t, TakenTarget>> ready_;
  std::uint64_t taken_ = 0;
  ResolverPool resolver_;  // last: closed before the rest goes
};

}  // namespace uping::sweep
