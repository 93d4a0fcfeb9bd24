#include "monitor/resolution.hpp"

#include <algorithm>
#include <utility>

#include "monitor/events.hpp"
#include "monitor/settle.hpp"
#include "monitor/startup.hpp"
#include "system/resolve.hpp"

namespace uping::monitor {

Resolutions::Resolutions(boost::asio::io_context& io, TargetSet& targets, ResolverPool& pool,
                         const MonitorOptions& options, EventOutput& out)
    : targets_(targets), pool_(pool), options_(options), out_(out), timer_(io) {}

void Resolutions::resolve(std::size_t index) {
  WatchedTarget& target = targets_[index];
  if (target.resolving || stopped_) return;
  target.resolving = true;
  target.next_resolve = kNever;
  const std::uint64_t serial = target.serial;
  if (target.literal) {
    if (auto numeric = resolve_numeric(target.text, family_)) return resolved(serial, std::move(*numeric));
  }
  pool_.resolve(target.text, family_,
                [this, serial](Resolution resolution) { resolved(serial, std::move(resolution)); });
}

void Resolutions::resolved(std::uint64_t serial, Resolution resolution) {
  const auto index = targets_.index_of_serial(serial);
  if (stopped_ || !index) return;  // removed by a reload meanwhile
  const SteadyTime now = steady_now();
  const WallTime wall = wall_now();
  WatchedTarget& target = targets_[*index];
  if (const auto* error = std::get_if<ResolveError>(&resolution)) {
    targets_.resolve_failed(*index, now, options_.resolve_every);
    due_at(target.next_resolve);
    append_resolve_error(out_.buffer(), out_.format(), event_target(target),
                         error->reason.empty() ? error->message : error->reason, target.failures_in_a_row, wall);
    out_.request_flush();
    return;
  }
  Target& answer = std::get<Target>(resolution);
  const bool first = !target.address;
  auto change = targets_.set_address(*index, answer.address, std::move(answer.numeric));
  targets_.resolved(*index, now, options_.resolve_every);
  // Re-resolutions spread over the period rather than all at once.
  if (first && !target.literal) {
    target.next_resolve = first_re_resolution(now, spread_next_++ % kSpreadSlots, kSpreadSlots, options_.resolve_every);
  }
  due_at(target.next_resolve);
  if (!change) return;
  if (change->old_metrics) {
    if (const auto ended = change->old_metrics->force_end(wall)) {
      append_outage_end(out_.buffer(), out_.format(), {target.text, change->old_ip}, *ended, EndedBy::resolve);
    }
  }
  if (!target.literal) append_resolve(out_.buffer(), out_.format(), event_target(target), change->old_ip, wall);
  out_.request_flush();
}

void Resolutions::arm() {
  if (stopped_) return;
  SteadyTime next = kNever;
  const SteadyTime now = steady_now();
  for (std::size_t index = 0; index < targets_.size(); ++index) {
    WatchedTarget& target = targets_[index];
    if (target.resolving || target.next_resolve == kNever) continue;
    if (target.next_resolve <= now) {
      resolve(index);
      continue;
    }
    next = std::min(next, target.next_resolve);
  }
  timer_at_ = kNever;
  due_at(next);
}

void Resolutions::due_at(SteadyTime at) {
  if (stopped_ || at >= timer_at_) return;
  timer_at_ = at;
  timer_.expires_at(
      std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(at)));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) arm();
  });
}

void Resolutions::stop() {
  stopped_ = true;
  timer_.cancel();
}

}  // namespace uping::monitor
