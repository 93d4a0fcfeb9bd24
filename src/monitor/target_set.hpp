#pragma once
// The monitor's watched set: each target as given (its text is its identity, across reloads too),
// the address it is probed at, that address's metrics, and its resolution state. Pure: no clock,
// no I/O, no resolver; the engine (monitor.cpp) brings times and answers.
//
// Ids: every address a target is probed at gets an id that is never reused (the upper 32 bits
// of its probe tokens), so a reply to an address no longer watched (a new resolution, a reload)
// finds nothing and is dropped. Serials identify a target for resolutions in flight.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "monitor/target_metrics.hpp"
#include "uping/address.hpp"
#include "uping/stats.hpp"

namespace uping::monitor {

using SteadyTime = std::chrono::nanoseconds;  // a monotonic clock's reading
inline constexpr SteadyTime kNever = SteadyTime::max();

// The command line's targets (and -g's) stay for the whole run; --file's are replaced on SIGHUP.
enum class TargetOrigin : std::uint8_t { command_line, file };

// Address ids live below this bit; /probe's tokens use ids with it set.
inline constexpr std::uint32_t kProbeIdBit = 0x8000'0000U;

struct WatchedTarget {
  std::string text;  // as given: the `host` label
  TargetOrigin origin = TargetOrigin::command_line;
  bool literal = false;      // a numeric address: looked at once, never re-resolved
  std::uint64_t serial = 0;  // never reused
  std::uint32_t id = 0;      // of the address probed now; 0 before the first resolution
  std::optional<SocketAddress> address;
  std::string ip;                          // numeric form of `address`
  std::unique_ptr<TargetMetrics> metrics;  // with `address`
  std::uint64_t resolve_failures = 0;      // every failed lookup (uping_resolve_failures_total)
  std::uint32_t failures_in_a_row = 0;     // since the last good one: the retry's backoff
  SteadyTime next_resolve = kNever;
  bool resolving = false;      // a lookup is on the resolver pool
  std::uint32_t next_seq = 0;  // of the next probe to the current address
  std::optional<Micros> last_rtt;

  std::string_view family_label() const noexcept;  // "ipv4" / "ipv6", empty without address
};

// What a new address replaced: its metrics (for an outage to end) and its numeric form.
struct AddressChange {
  std::unique_ptr<TargetMetrics> old_metrics;  // null on the first resolution
  std::string old_ip;
};

// What a SIGHUP changed.
struct ReloadOutcome {
  std::vector<WatchedTarget> removed;  // their series end; an open outage ends with them
  std::vector<std::size_t> added;      // indexes of the new targets (to resolve)
};

class TargetSet {
 public:
  TargetSet(std::uint32_t down_after, std::uint32_t up_after) noexcept : down_after_(down_after), up_after_(up_after) {}

  // Adds a target unless one of the same text is watched already (a duplicate would repeat every
  // series); returns whether it was added.
  bool add(std::string text, TargetOrigin origin);

  // SIGHUP: the file now lists `texts`, in order. Targets listed before keep everything (metrics,
  // address, resolution state); the others are handed back; new ones are added unresolved.
  // Command-line targets stay first, and a file line repeating one of them is ignored.
  ReloadOutcome replace_file_targets(const std::vector<std::string>& texts);

  // A resolution's answer for target `index`. The same address: nothing (nullopt). A new one: a
  // new id and fresh metrics (the old address's series end), the old ones handed back.
  std::optional<AddressChange> set_address(std::size_t index, const SocketAddress& address, std::string ip);

  // When the next lookup of target `index` is due after a good one or a failure at `now`.
  void resolved(std::size_t index, SteadyTime now, std::chrono::seconds resolve_every) noexcept;
  void resolve_failed(std::size_t index, SteadyTime now, std::chrono::seconds resolve_every) noexcept;

  WatchedTarget* find_by_id(std::uint32_t id) noexcept;
  std::optional<std::size_t> index_of_serial(std::uint64_t serial) const noexcept;

  std::size_t size() const noexcept { return targets_.size(); }
  WatchedTarget& operator[](std::size_t index) noexcept { return targets_[index]; }
  const WatchedTarget& operator[](std::size_t index) const noexcept { return targets_[index]; }
  std::vector<WatchedTarget>::iterator begin() noexcept { return targets_.begin(); }
  std::vector<WatchedTarget>::iterator end() noexcept { return targets_.end(); }
  std::vector<WatchedTarget>::const_iterator begin() const noexcept { return targets_.begin(); }
  std::vector<WatchedTarget>::const_iterator end() const noexcept { return targets_.end(); }

 private:
  WatchedTarget make(std::string text, TargetOrigin origin);
  void reindex();

  std::uint32_t down_after_;
  std::uint32_t up_after_;
  std::vector<WatchedTarget> targets_;
  std::unordered_map<std::string, std::size_t> by_text_;
  std::unordered_map<std::uint32_t, std::size_t> by_id_;
  std::unordered_map<std::uint64_t, std::size_t> by_serial_;
  std::uint32_t next_id_ = 1;
  std::uint64_t next_serial_ = 1;
};

// The wait before retrying a failed lookup: 5 s after the first failure in a row, doubling with
// each further one, never more than --resolve-every.
SteadyTime resolve_retry_delay(std::uint32_t failures_in_a_row, std::chrono::seconds resolve_every) noexcept;

// Re-resolutions spread over the period: name k of n is first looked up again at
// start + resolve_every · (1 + k/n), then every resolve_every after each answer.
SteadyTime first_re_resolution(SteadyTime start, std::size_t k, std::size_t n,
                               std::chrono::seconds resolve_every) noexcept;

}  // namespace uping::monitor
