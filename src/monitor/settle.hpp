#pragma once
// A watched address's probe settled: its metrics told (spec: reply, duplicate, timeout, ICMP error
// with its kind, send failure), the outage events that releases (in send order: they may be an
// earlier probe's), and with -v the probe's own event, appended to `out`. Pure: the caller brings
// the wall clock's reading.

#include <chrono>
#include <string>
#include <vector>

#include "monitor/events.hpp"
#include "monitor/target_set.hpp"
#include "uping/pinger.hpp"

namespace uping::monitor {

struct SettleContext {
  std::string& out;
  EventFormat format;
  bool verbose = false;
  WallTime now{0};
  std::vector<OutageEvent>& events;  // scratch, reused: emptied by each call
};

inline EventTarget event_target(const WatchedTarget& target) { return {target.text, target.ip}; }

// The target must have metrics. A reply after an ICMP error is not counted (settled once already).
void settle_reply(WatchedTarget& target, const Reply& reply, const SettleContext& context);
void settle_duplicate(WatchedTarget& target, const Reply& reply);
void settle_timeout(WatchedTarget& target, const Timeout& timeout, const SettleContext& context);
void settle_icmp_error(WatchedTarget& target, const IcmpError& error, const SettleContext& context);
void settle_send_failure(WatchedTarget& target, const SendFailure& failure, const SettleContext& context);

}  // namespace uping::monitor
