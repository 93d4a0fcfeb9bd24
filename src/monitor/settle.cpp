#include "monitor/settle.hpp"

#include "system/resolve.hpp"

namespace uping::monitor {
namespace {

std::uint32_t seq_of(ProbeToken token) { return static_cast<std::uint32_t>(token & 0xFFFF'FFFFU); }

// The outage events a settlement released, in order.
void emit(const WatchedTarget& target, const SettleContext& context) {
  for (const OutageEvent& event : context.events) {
    if (const auto* started = std::get_if<OutageStart>(&event)) {
      append_outage_start(context.out, context.format, event_target(target), *started);
    } else {
      append_outage_end(context.out, context.format, event_target(target), std::get<OutageEnd>(event),
                        EndedBy::replies);
    }
  }
  context.events.clear();
}

void lost(WatchedTarget& target, std::uint32_t seq, Loss loss, std::optional<IcmpErrorKind> kind,
          const SettleContext& context) {
  context.events.clear();
  target.metrics->loss(seq, loss, kind, context.events);
  emit(target, context);
}

}  // namespace

void settle_reply(WatchedTarget& target, const Reply& reply, const SettleContext& context) {
  if (reply.after_error) return;
  context.events.clear();
  target.metrics->reply(seq_of(reply.token), reply.rtt, reply.ttl, context.now, context.events);
  target.last_rtt = reply.rtt;
  if (context.verbose) {
    append_reply(context.out, context.format, event_target(target), seq_of(reply.token), reply.rtt, reply.ttl,
                 context.now);
  }
  emit(target, context);
}

void settle_duplicate(WatchedTarget& target, const Reply& reply) { target.metrics->duplicate(reply.rtt); }

void settle_timeout(WatchedTarget& target, const Timeout& timeout, const SettleContext& context) {
  if (context.verbose) {
    append_timeout(context.out, context.format, event_target(target), seq_of(timeout.token), context.now);
  }
  lost(target, seq_of(timeout.token), Loss::timeout, std::nullopt, context);
}

void settle_icmp_error(WatchedTarget& target, const IcmpError& error, const SettleContext& context) {
  const IcmpErrorKind kind = classify_icmp_error(error.family, error.type, error.code);
  if (context.verbose) {
    append_icmp_error(context.out, context.format, event_target(target), seq_of(error.token), numeric_host(error.from),
                      kind, error.type, error.code, context.now);
  }
  lost(target, seq_of(error.token), Loss::icmp_error, kind, context);
}

void settle_send_failure(WatchedTarget& target, const SendFailure& failure, const SettleContext& context) {
  if (context.verbose) {
    append_send_error(context.out, context.format, event_target(target), seq_of(failure.token), failure.error,
                      context.now);
  }
  lost(target, seq_of(failure.token), Loss::send_error, std::nullopt, context);
}

}  // namespace uping::monitor
