#include "monitor/target_set.hpp"

#include <algorithm>
#include <utility>

#include "uping/pinger.hpp"

namespace uping::monitor {

std::string_view WatchedTarget::family_label() const noexcept {
  if (!address) return {};
  return address->family() == icmp::Family::v4 ? "ipv4" : "ipv6";
}

WatchedTarget TargetSet::make(std::string text, TargetOrigin origin) {
  WatchedTarget target;
  // A numeric address (scope included) never waits on a name server: it is looked at once.
  target.literal = parse_address(text).has_value();
  target.text = std::move(text);
  target.origin = origin;
  target.serial = next_serial_++;
  return target;
}

bool TargetSet::add(std::string text, TargetOrigin origin) {
  if (by_text_.contains(text)) return false;
  targets_.push_back(make(std::move(text), origin));
  const std::size_t index = targets_.size() - 1;
  by_text_.emplace(targets_.back().text, index);
  by_serial_.emplace(targets_.back().serial, index);
  return true;
}

ReloadOutcome TargetSet::replace_file_targets(const std::vector<std::string>& texts) {
  ReloadOutcome outcome;
  std::vector<WatchedTarget> next;
  next.reserve(texts.size() + targets_.size());
  std::unordered_map<std::string, std::size_t> next_by_text;
  next_by_text.reserve(texts.size() + targets_.size());
  for (WatchedTarget& target : targets_) {
    if (target.origin != TargetOrigin::command_line) continue;
    next_by_text.emplace(target.text, next.size());
    next.push_back(std::move(target));
  }
  for (const std::string& text : texts) {
    if (next_by_text.contains(text)) continue;  // a command-line target, or a line seen before
    const auto old = by_text_.find(text);
    next_by_text.emplace(text, next.size());
    if (old != by_text_.end() && targets_[old->second].origin == TargetOrigin::file) {
      next.push_back(std::move(targets_[old->second]));
      targets_[old->second].text.clear();  // taken: not handed back as removed
      targets_[old->second].serial = 0;
    } else {
      outcome.added.push_back(next.size());
      next.push_back(make(text, TargetOrigin::file));
    }
  }
  for (WatchedTarget& target : targets_) {
    if (target.origin == TargetOrigin::file && target.serial != 0) outcome.removed.push_back(std::move(target));
  }
  targets_ = std::move(next);
  by_text_ = std::move(next_by_text);
  reindex();
  return outcome;
}

void TargetSet::reindex() {
  by_id_.clear();
  by_serial_.clear();
  for (std::size_t index = 0; index < targets_.size(); ++index) {
    if (targets_[index].id != 0) by_id_.emplace(targets_[index].id, index);
    by_serial_.emplace(targets_[index].serial, index);
  }
}

std::optional<AddressChange> TargetSet::set_address(std::size_t index, const SocketAddress& address, std::string ip) {
  WatchedTarget& target = targets_[index];
  if (target.address && target.ip == ip) return std::nullopt;
  AddressChange change;
  change.old_metrics = std::move(target.metrics);
  change.old_ip = std::move(target.ip);
  if (target.id != 0) by_id_.erase(target.id);
  target.id = next_id_;
  // Ids below kProbeIdBit; after two billion address changes they start again past the oldest.
  next_id_ = next_id_ + 1 >= kProbeIdBit ? 1 : next_id_ + 1;
  by_id_[target.id] = index;
  target.address = address;
  target.ip = std::move(ip);
  target.metrics = std::make_unique<TargetMetrics>(down_after_, up_after_);
  target.next_seq = 0;
  target.last_rtt.reset();
  return change;
}

void TargetSet::resolved(std::size_t index, SteadyTime now, std::chrono::seconds resolve_every) noexcept {
  WatchedTarget& target = targets_[index];
  target.resolving = false;
  target.failures_in_a_row = 0;
  target.next_resolve = target.literal ? kNever : now + resolve_every;
}

void TargetSet::resolve_failed(std::size_t index, SteadyTime now, std::chrono::seconds resolve_every) noexcept {
  WatchedTarget& target = targets_[index];
  target.resolving = false;
  ++target.resolve_failures;
  ++target.failures_in_a_row;
  // A literal refused (an IPv6 address with -4) fails the same way every time: once a period.
  target.next_resolve = now + (target.literal ? SteadyTime(resolve_every)
                                              : resolve_retry_delay(target.failures_in_a_row, resolve_every));
}

WatchedTarget* TargetSet::find_by_id(std::uint32_t id) noexcept {
  const auto found = by_id_.find(id);
  return found == by_id_.end() ? nullptr : &targets_[found->second];
}

std::optional<std::size_t> TargetSet::index_of_serial(std::uint64_t serial) const noexcept {
  const auto found = by_serial_.find(serial);
  if (found == by_serial_.end()) return std::nullopt;
  return found->second;
}

SteadyTime resolve_retry_delay(std::uint32_t failures_in_a_row, std::chrono::seconds resolve_every) noexcept {
  const SteadyTime cap = resolve_every;
  SteadyTime delay = std::chrono::seconds(5);
  for (std::uint32_t doubling = 1; doubling < failures_in_a_row && delay < cap; ++doubling) delay *= 2;
  return std::min(delay, cap);
}

SteadyTime first_re_resolution(SteadyTime start, std::size_t k, std::size_t n,
                               std::chrono::seconds resolve_every) noexcept {
  const SteadyTime period = resolve_every;
  if (n == 0) return start + period;
  return start + period +
         SteadyTime(static_cast<SteadyTime::rep>(static_cast<long double>(period.count()) *
                                                 static_cast<long double>(k) / static_cast<long double>(n)));
}

}  // namespace uping::monitor
