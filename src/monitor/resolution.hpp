#pragma once
// The watched names' lookups (spec §4.2): the first at start, then every --resolve-every, spread
// over the period; a failure counted, said as an event, and retried with a backoff while the last
// good address keeps being probed; never fatal. A new address ends the old one's series (and its
// outage, ended_by resolve). Literals are looked at once, on the loop's thread; names on the
// resolver pool.

#include <cstddef>
#include <cstdint>
#include <optional>

#include <boost/asio/steady_timer.hpp>

#include "monitor/event_output.hpp"
#include "monitor/options.hpp"
#include "monitor/target_set.hpp"
#include "system/resolver_pool.hpp"

namespace uping::monitor {

class Resolutions {
 public:
  Resolutions(boost::asio::io_context& io, TargetSet& targets, ResolverPool& pool, const MonitorOptions& options,
              EventOutput& out);

  // The family to ask for: -4/-6, else the only one with a socket, else either.
  void set_family(std::optional<icmp::Family> family) noexcept { family_ = family; }
  void resolve(std::size_t index);  // now, unless already under way
  // Starts the lookups due and sleeps until the next one: a scan of the set, so only when the
  // timer fires or after a reload; an answer only brings the timer forward.
  void arm();
  void stop();

 private:
  void resolved(std::uint64_t serial, Resolution resolution);
  void due_at(SteadyTime at);

  static constexpr std::size_t kSpreadSlots = 64;

  TargetSet& targets_;
  ResolverPool& pool_;
  const MonitorOptions& options_;
  EventOutput& out_;
  boost::asio::steady_timer timer_;
  SteadyTime timer_at_ = kNever;  // kNever: not armed
  std::optional<icmp::Family> family_;
  std::size_t spread_next_ = 0;
  bool stopped_ = false;
};

}  // namespace uping::monitor
