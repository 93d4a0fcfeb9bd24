#include "multi/sweep_output.hpp"

#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/ndjson.hpp"
#include "cli/report.hpp"
#include "system/resolve.hpp"

namespace uping::sweep {
namespace {

using ndjson::jitter_figures;
using ndjson::millis;
using ndjson::rtt_figures;

// Where a target has no RTTs of its own (never probed, or -s too small to time them).
const RttStatistics& no_rtt() {
  static const RttStatistics none;
  return none;
}

ndjson::Line with_target(std::string_view type, const TargetRef& target) {
  ndjson::Line line(type);
  line.text("target", target.target).optional_text("addr", target.address);
  return line;
}

// "name (addr)" for a target given by name, the address alone otherwise (canonical, as iputils
// prints it: 2001:DB8::02 is 2001:db8::2).
std::string peer_text(const TargetRef& target) {
  if (target.address.empty()) return std::string(target.target);
  if (target.literal || target.target == target.address) return std::string(target.address);
  return fmt::format("{} ({})", target.target, target.address);
}

}  // namespace

std::string_view stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::complete:
      return "complete";
    case StopReason::deadline:
      return "deadline";
    case StopReason::reachable:
      return "reachable";
    case StopReason::interrupted:
      return "interrupted";
    case StopReason::no_socket:
      return "no_socket";
    case StopReason::input_error:
      return "input_error";
  }
  return "complete";
}

int exit_code(const RunTotals& totals, const SweepOptions& options) {
  if (totals.stopped == StopReason::no_socket || totals.stopped == StopReason::input_error) return kError;
  bool met = false;
  if (options.reachable) {
    met = totals.alive >= *options.reachable;
  } else if (totals.stopped == StopReason::interrupted) {
    met = totals.alive > 0 && totals.unreachable == 0 && totals.failed == 0;
  } else {
    met = totals.targets > 0 && totals.alive == totals.targets && totals.sources_exhausted;
  }
  if (met) return kAllReachable;
  return totals.failed > 0 ? kError : kNotReachable;
}

std::string json_reply(const TargetRef& target, const ReplySeen& reply) {
  ndjson::Line line = with_target("reply", target);
  line.number("seq", reply.seq);
  line.raw("rtt_ms", reply.rtt ? millis(*reply.rtt) : "null");
  line.raw("ttl", reply.ttl ? std::to_string(*reply.ttl) : "null");
  line.number("bytes", reply.icmp_bytes).flag("dup", reply.duplicate);
  return line.finish();
}

std::string json_timeout(const TargetRef& target, std::uint32_t seq) {
  return with_target("timeout", target).number("seq", seq).finish();
}

std::string json_icmp_error(const TargetRef& target, const IcmpErrorSeen& error) {
  ndjson::Line line = with_target("icmp_error", target);
  line.number("seq", error.seq).text("from", error.from);
  line.number("icmp_type", error.type).number("icmp_code", error.code);
  line.text("text", report::describe_icmp_error(error.family, error.type, error.code, error.info));
  return line.finish();
}

std::string json_send_error(const TargetRef& target, std::uint32_t seq, int error) {
  const char* name = strerrorname_np(error);
  ndjson::Line line = with_target("send_error", target);
  line.number("seq", seq).text("errno", name != nullptr ? name : std::to_string(error));
  return line.text("error", std::strerror(error)).finish();
}

std::string json_target_error(std::string_view target, std::string_view message) {
  return ndjson::Line("target_error").text("target", target).text("error", message).finish();
}

std::string json_target_summary(const TargetRef& target, const Statistics& stats, const RttStatistics& rtt,
                                const SummaryCounts& counts) {
  ndjson::Line line = with_target("summary", target);
  line.number("sent", stats.transmitted()).number("send_errors", counts.send_errors);
  line.number("received", stats.received()).number("duplicates", stats.duplicates());
  line.number("errors", stats.errors()).number("timeouts", counts.timeouts);
  line.raw("loss_pct", report::format_loss(stats.loss_percent()));
  const bool answered = stats.received() > 0;  // duplicates alone (of a probe already timed out) are no answer
  line.raw("rtt_ms", answered ? rtt_figures(rtt) : "null");
  line.raw("jitter_ms", answered ? jitter_figures(rtt.jitter()) : "null");
  line.flag("alive", answered).flag("complete", counts.complete);
  return line.finish();
}

std::string json_run_summary(const RunTotals& totals, int exit_code) {
  ndjson::Line line("run");
  line.number("targets", totals.targets).number("alive", totals.alive).number("unreachable", totals.unreachable);
  line.number("unfinished", totals.unfinished).number("failed", totals.failed);
  line.number("sent", totals.sent).number("send_errors", totals.send_errors);
  line.number("received", totals.received).number("duplicates", totals.duplicates);
  line.number("errors", totals.errors).number("timeouts", totals.timeouts);
  line.number("kernel_drops", totals.kernel_drops).number("sockets", totals.sockets);
  line.raw("rtt_ms", totals.received > 0 ? rtt_figures(totals.rtt) : "null");
  line.raw("jitter_ms", totals.received > 0 ? jitter_figures(totals.rtt.jitter()) : "null");
  line.raw("elapsed_ms", millis(totals.elapsed));
  line.text("stopped", stop_reason_name(totals.stopped));
  line.number("exit", static_cast<std::uint64_t>(exit_code));
  return line.finish();
}

std::string retired_output(OutputFormat format, const Retired& retired) {
  const bool alive = retired.stats->received() > 0;
  switch (format) {
    case OutputFormat::json:
      return json_target_summary(retired.target, *retired.stats, retired.rtt ? *retired.rtt : no_rtt(), retired.counts);
    case OutputFormat::alive:
      return alive ? printable(retired.target.target) + "\n" : std::string();
    case OutputFormat::unreachable:
      return alive ? std::string() : printable(retired.target.target) + "\n";
    case OutputFormat::text:
      break;
  }
  report::Summary summary;
  summary.name = printable(retired.target.target);
  summary.stats = retired.stats;
  summary.elapsed = retired.elapsed;
  summary.timing = retired.timing;
  return report::statistics_block(summary);
}

std::string text_reply(const TargetRef& target, const ReplySeen& reply) {
  const std::string from = peer_text(target);
  report::Reply line;
  line.icmp_bytes = reply.icmp_bytes;
  line.from = from;
  line.sequence = static_cast<std::uint16_t>(reply.seq);
  line.ttl = reply.ttl;
  line.rtt = reply.rtt;
  line.duplicate = reply.duplicate;
  return report::reply_line(line);
}

std::string text_icmp_error(const TargetRef& target, const IcmpErrorSeen& error) {
  std::string line = report::error_line(std::nullopt, error.from, static_cast<std::uint16_t>(error.seq),
                                        report::describe_icmp_error(error.family, error.type, error.code, error.info));
  line.pop_back();  // the '\n'
  return fmt::format("{} (to {})\n", line, peer_text(target));
}

std::string text_send_error(std::uint32_t seq, int error) {
  return fmt::format("icmp_seq={} cannot send: {}", seq, std::strerror(error));
}

std::string untaken_line(const targets::Untaken& untaken, StopReason stopped) {
  if (untaken.empty()) return {};
  std::vector<std::string> parts;
  if (untaken.names > 0) parts.push_back(fmt::format("{} named", untaken.names));
  // A range holds at most 2^24 addresses and the command line few ranges: 64 bits are plenty.
  const auto from_ranges = static_cast<std::uint64_t>(untaken.range_addresses);
  if (from_ranges > 0) parts.push_back(fmt::format("{} from -g", from_ranges));
  const std::uint64_t total = untaken.names + from_ranges;
  const std::string reason(stop_reason_name(stopped));
  std::string line;
  if (total > 0) {
    line = fmt::format("{} target{} not probed ({}): {}", total, total == 1 ? "" : "s", reason, fmt::join(parts, ", "));
    if (untaken.file_left) line += "; the rest of --file not read";
  } else {
    line = fmt::format("the rest of --file not read ({})", reason);
  }
  return line;
}

}  // namespace uping::sweep
