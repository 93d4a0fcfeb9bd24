#include "monitor/settle.hpp"

#include "system/resolve.hpp"

namespace uping::monitor {
namespace {

std::uint32_t seq_of(ProbeToken token) { return static_cast<std::uint32_t>(token & 0xFFFF'FFFFU); }

void lost(WatchedTarget& target, Loss loss, std::optional<IcmpErrorKind> kind, WallTime sent,
          const SettleContext& context) {
  if (const auto started = target.metrics->loss(loss, kind, sent)) {
    append_outage_start(context.out, context.format, event_target(target), *started);
  }
}

}  // namespace

void settle_reply(WatchedTarget& target, const Reply& reply, const SettleContext& context) {
  if (reply.after_error) return;
  // The RTT ends at the kernel's receive time, a moment ago: the send was that long before.
  const WallTime sent = context.now - std::chrono::microseconds(reply.rtt);
  const auto ended = target.metrics->reply(reply.rtt, reply.ttl, sent, context.now);
  target.last_rtt = reply.rtt;
  if (context.verbose) {
    append_reply(context.out, context.format, event_target(target), seq_of(reply.token), reply.rtt, reply.ttl,
                 context.now);
  }
  if (ended) append_outage_end(context.out, context.format, event_target(target), *ended, EndedBy::replies);
}

void settle_duplicate(WatchedTarget& target, const Reply& reply) { target.metrics->duplicate(reply.rtt); }

void settle_timeout(WatchedTarget& target, const Timeout& timeout, std::chrono::nanoseconds timeout_after,
                    const SettleContext& context) {
  if (context.verbose) {
    append_timeout(context.out, context.format, event_target(target), seq_of(timeout.token), context.now);
  }
  lost(target, Loss::timeout, std::nullopt, context.now - timeout_after, context);
}

void settle_icmp_error(WatchedTarget& target, const IcmpError& error, const SettleContext& context) {
  const IcmpErrorKind kind = classify_icmp_error(error.family, error.type, error.code);
  if (context.verbose) {
    append_icmp_error(context.out, context.format, event_target(target), seq_of(error.token), numeric_host(error.from),
                      kind, error.type, error.code, context.now);
  }
  // An error comes back within a round trip: its arrival is the send time, near enough.
  lost(target, Loss::icmp_error, kind, context.now, context);
}

void settle_send_failure(WatchedTarget& target, const SendFailure& failure, const SettleContext& context) {
  if (context.verbose) {
    append_send_error(context.out, context.format, event_target(target), seq_of(failure.token), failure.error,
                      context.now);
  }
  lost(target, Loss::send_error, std::nullopt, context.now, context);
}

}  // namespace uping::monitor
