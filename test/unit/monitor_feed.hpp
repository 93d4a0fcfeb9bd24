#pragma once
// Test support: a TargetMetrics fed as the engine feeds it, each probe sent (numbered in order)
// and settled at once. The outage events are dropped; tests of the rule call TargetMetrics itself.

#include <optional>
#include <vector>

#include "monitor/target_metrics.hpp"

namespace uping::monitor::test {

inline void feed_reply(TargetMetrics& metrics, Micros rtt, std::optional<int> ttl, WallTime sent, WallTime received) {
  const std::uint64_t seq = metrics.total().requests;  // every earlier probe has settled
  std::vector<OutageEvent> events;
  metrics.sent(seq, sent);
  metrics.reply(seq, rtt, ttl, received, events);
}

inline void feed_loss(TargetMetrics& metrics, Loss loss, std::optional<IcmpErrorKind> kind, WallTime sent) {
  const std::uint64_t seq = metrics.total().requests;
  std::vector<OutageEvent> events;
  metrics.sent(seq, sent);
  metrics.loss(seq, loss, kind, events);
}

}  // namespace uping::monitor::test
