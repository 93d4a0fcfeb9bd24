#pragma once
// A watched address's probe settled: its metrics told (spec: reply, duplicate, timeout, ICMP error
// with its kind, send failure), the outage events that completes, and with -v the probe's own
// event, appended to `out`. Pure: the caller brings the wall clock's reading.

#include <chrono>
#include <string>

#include "monitor/events.hpp"
#include "monitor/target_set.hpp"
#include "uping/pinger.hpp"

namespace uping::monitor {

struct SettleContext {
  std::string& out;
  EventFormat format;
  bool verbose = false;
  WallTime now{0};
};

inline EventTarget event_target(const WatchedTarget& target) { return {target.text, target.ip}; }

// The target must have metrics. A reply after an ICMP error is not counted (settled once already).
void settle_reply(WatchedTarget& target, const Reply& reply, const SettleContext& context);
void settle_duplicate(WatchedTarget& target, const Reply& reply);
// A timeout fires `timeout` after the send: that is when the lost probe left.
void settle_timeout(WatchedTarget& target, const Timeout& timeout, std::chrono::nanoseconds timeout_after,
                    const SettleContext& context);
void settle_icmp_error(WatchedTarget& target, const IcmpError& error, const SettleContext& context);
void settle_send_failure(WatchedTarget& target, const SendFailure& failure, const SettleContext& context);

}  // namespace uping::monitor
