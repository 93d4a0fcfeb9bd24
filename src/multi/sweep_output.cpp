#include "multi/sweep_output.hpp"

// Boost.JSON compiled into this one translation unit (header-only mode) rather than linked as
// libboost_json.so: the release build links statically where it can, and one more shared library
// would cost every uping start-up its relocations. The unit tests use the same definitions.
#include <cstring>
#include <initializer_list>
#include <utility>
#include <vector>

#include <boost/json/src.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/report.hpp"
#include "system/resolve.hpp"

namespace uping::sweep {
namespace {

// Exact milliseconds from whole microseconds: 52 -> "0.052". Boost.JSON 1.81 would print a
// double as "5.2E-2"; the integer arithmetic also keeps float noise out of the figures.
std::string millis(Micros micros) {
  const Micros clamped = micros < 0 ? 0 : micros;
  return fmt::format("{}.{:03}", clamped / 1000, clamped % 1000);
}

// {"key":0.052,...} from whole microseconds, in one string (a sweep writes one per target).
std::string millis_object(std::initializer_list<std::pair<std::string_view, Micros>> figures) {
  fmt::memory_buffer object;  // on the stack: one allocation, for the string returned
  object.push_back('{');
  for (const auto& [key, micros] : figures) {
    const Micros clamped = micros < 0 ? 0 : micros;
    fmt::format_to(fmt::appender(object), "{}\"{}\":{}.{:03}", object.size() > 1 ? "," : "", key, clamped / 1000,
                   clamped % 1000);
  }
  object.push_back('}');
  return fmt::to_string(object);
}

// A figure in fractional microseconds (a percentile, a jitter), rounded to the microsecond.
Micros rounded(double micros) { return to_micros(micros, 1).count(); }

// {"min":…,"avg":…,"max":…,"mdev":…,"p50":…,"p90":…,"p95":…,"p99":…}, or null without a timed reply.
std::string rtt_figures(const RttStatistics& rtt) {
  const auto summary = rtt.summary();
  if (!summary) return "null";
  return millis_object({{"min", summary->min},
                        {"avg", summary->avg},
                        {"max", summary->max},
                        {"mdev", summary->mdev},
                        {"p50", rounded(*rtt.percentile(50))},
                        {"p90", rounded(*rtt.percentile(90))},
                        {"p95", rounded(*rtt.percentile(95))},
                        {"p99", rounded(*rtt.percentile(99))}});
}

// {"rfc3550":…,"mean_diff":…}, or null before two successive replies.
std::string jitter_figures(const RttJitter& jitter) {
  const auto smoothed = jitter.smoothed();
  const auto mean = jitter.mean_abs_difference();
  if (!smoothed || !mean) return "null";
  return millis_object({{"rfc3550", rounded(*smoothed)}, {"mean_diff", rounded(*mean)}});
}

// Where a target has no RTTs of its own (never probed, or -s too small to time them).
const RttStatistics& no_rtt() {
  static const RttStatistics none;
  return none;
}

// One NDJSON object: fields appended in order, keys fixed ASCII, every string value escaped by
// Boost.JSON (after invalid UTF-8 has been replaced).
class JsonLine {
 public:
  explicit JsonLine(std::string_view type) {
    line_ = fmt::format("{{\"v\":{},\"type\":\"{}\"", kJsonSchemaVersion, type);
  }
  JsonLine& text(std::string_view key, std::string_view value) {
    return raw(key, boost::json::serialize(boost::json::string_view(valid_utf8(value))));
  }
  JsonLine& optional_text(std::string_view key, std::string_view value) {
    return value.empty() ? raw(key, "null") : text(key, value);
  }
  JsonLine& number(std::string_view key, std::uint64_t value) { return raw(key, std::to_string(value)); }
  JsonLine& flag(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  JsonLine& raw(std::string_view key, std::string_view json) {
    line_ += fmt::format(",\"{}\":{}", key, json);
    return *this;
  }
  std::string finish() { return line_ + "}\n"; }

 private:
  std::string line_;
};

JsonLine with_target(std::string_view type, const TargetRef& target) {
  JsonLine line(type);
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

// Length of the valid UTF-8 sequence at the start of `text`, or 0 (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
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

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, length));
      text.remove_prefix(length);
    }
  }
  return out;
}

std::string json_reply(const TargetRef& target, const ReplySeen& reply) {
  JsonLine line = with_target("reply", target);
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
  JsonLine line = with_target("icmp_error", target);
  line.number("seq", error.seq).text("from", error.from);
  line.number("icmp_type", error.type).number("icmp_code", error.code);
  line.text("text", report::describe_icmp_error(error.family, error.type, error.code, error.info));
  return line.finish();
}

std::string json_send_error(const TargetRef& target, std::uint32_t seq, int error) {
  const char* name = strerrorname_np(error);
  JsonLine line = with_target("send_error", target);
  line.number("seq", seq).text("errno", name != nullptr ? name : std::to_string(error));
  return line.text("error", std::strerror(error)).finish();
}

std::string json_target_error(std::string_view target, std::string_view message) {
  return JsonLine("target_error").text("target", target).text("error", message).finish();
}

std::string json_target_summary(const TargetRef& target, const Statistics& stats, const RttStatistics& rtt,
                                const SummaryCounts& counts) {
  JsonLine line = with_target("summary", target);
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
  JsonLine line("run");
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
