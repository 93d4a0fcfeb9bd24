#include "multi/sweep_intake.hpp"

#include <algorithm>

namespace uping::sweep {
namespace {

TakenTarget from_resolution(std::string text, const Resolution& answer) {
  TakenTarget taken;
  taken.text = std::move(text);
  if (const auto* failure = std::get_if<ResolveError>(&answer)) {
    taken.error = failure->reason;
    return taken;
  }
  const auto& target = std::get<Target>(answer);
  taken.address = target.address;
  taken.address_text = target.numeric;
  taken.literal = target.typed_as_address;
  return taken;
}

}  // namespace

Intake::Intake(boost::asio::io_context& io, targets::TargetStream& stream, std::optional<icmp::Family> family,
               std::function<void()> on_ready)
    : stream_(stream), family_(family), on_ready_(std::move(on_ready)), resolver_(io) {}

std::optional<TakenTarget> Intake::next() {
  for (;;) {
    if (waiting_ && resolver_.outstanding() < kMaxLookups) {
      start_lookup(std::move(*waiting_));
      waiting_.reset();
    }
    if (!ready_.empty()) {
      TakenTarget taken = std::move(ready_.front().second);
      ready_.pop_front();
      return taken;
    }
    if (waiting_ || stream_done_) return std::nullopt;
    auto item = stream_.next();
    if (!item) {
      stream_done_ = !stream_.waiting();  // a file still being read wakes us (on_ready) when it has more
      return std::nullopt;
    }
    ++taken_;
    if (item->address) {
      TakenTarget taken;
      taken.address = targets::to_socket_address(*item->address);
      taken.address_text = targets::to_string(*item->address);  // canonical: 2001:DB8::02 → 2001:db8::2
      taken.text = std::move(item->text);
      taken.literal = true;
      return taken;
    }
    // A scoped IPv6 address (fe80::1%eth0) or another numeric form needs no name server.
    if (auto numeric = resolve_numeric(item->text, family_)) return from_resolution(std::move(item->text), *numeric);
    if (resolver_.outstanding() < kMaxLookups) {
      start_lookup(std::move(item->text));
    } else {
      waiting_ = std::move(item->text);
    }
  }
}

void Intake::start_lookup(std::string name) {
  const std::uint64_t order = taken_;
  resolving_.emplace(order, name);
  resolver_.resolve(name, family_, [this, order](Resolution answer) {
    auto found = resolving_.find(order);
    if (found == resolving_.end()) return;
    ready_.emplace_back(order, from_resolution(std::move(found->second), answer));
    resolving_.erase(found);
    on_ready_();
  });
}

bool Intake::ready_now() const noexcept {
  if (!ready_.empty()) return true;
  if (waiting_) return resolver_.outstanding() < kMaxLookups;
  return !stream_done_ && stream_.ready_now() && resolver_.outstanding() < kMaxLookups;
}

bool Intake::exhausted() const noexcept { return stream_done_ && !waiting_ && ready_.empty() && resolving_.empty(); }

std::vector<TakenTarget> Intake::take_unprobed() {
  std::vector<std::pair<std::uint64_t, TakenTarget>> left(std::make_move_iterator(ready_.begin()),
                                                          std::make_move_iterator(ready_.end()));
  ready_.clear();
  for (auto& [order, name] : resolving_) {
    TakenTarget taken;
    taken.text = std::move(name);
    left.emplace_back(order, std::move(taken));
  }
  resolving_.clear();
  if (waiting_) {
    TakenTarget taken;
    taken.text = std::move(*waiting_);
    left.emplace_back(taken_, std::move(taken));
    waiting_.reset();
  }
  std::sort(left.begin(), left.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TakenTarget> unprobed;
  unprobed.reserve(left.size());
  for (auto& entry : left) unprobed.push_back(std::move(entry.second));
  return unprobed;
}

}  // namespace uping::sweep
