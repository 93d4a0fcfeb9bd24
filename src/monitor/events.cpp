// The monitor's events: NDJSON lines through cli/ndjson (the sweep's conventions), or text lines
// "<ISO-8601 UTC> <host (ip)>: <what happened>".
#include "monitor/events.hpp"

#include <time.h>

#include <cstring>

#include <fmt/format.h>

#include "cli/ndjson.hpp"
#include "cli/report.hpp"
#include "system/resolve.hpp"

namespace uping::monitor {
namespace {

using std::chrono::nanoseconds;

constexpr std::int64_t kNanosPerMilli = 1'000'000;

// Whole milliseconds, rounded down (times before the epoch are taken as the epoch).
std::int64_t whole_millis(nanoseconds time) { return time.count() < 0 ? 0 : time.count() / kNanosPerMilli; }

// Seconds with millisecond decimals, exact: 1796130828.123 (a Unix time or a duration).
std::string seconds_text(nanoseconds time) {
  const std::int64_t millis = whole_millis(time);
  return fmt::format("{}.{:03}", millis / 1000, millis % 1000);
}

// 2026-12-01T13:52:11.123Z
std::string iso_time(WallTime time) {
  const std::int64_t millis = whole_millis(time);
  const time_t seconds = static_cast<time_t>(millis / 1000);
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, millis % 1000);
}

// A host from a user's file may hold any bytes: U+FFFD for what is not UTF-8, '?' for what could
// steer a terminal (a newline would also split the line).
std::string shown(std::string_view text) { return printable(ndjson::valid_utf8(text)); }

// "db1 (203.0.113.5)"; the address alone when it is the host; the host alone before any address.
std::string who(EventTarget target) {
  if (target.ip.empty()) return shown(target.host);
  if (target.host == target.ip) return shown(target.ip);
  return shown(target.host) + " (" + shown(target.ip) + ")";
}

void append_text(std::string& out, WallTime time, std::string_view subject, std::string_view what) {
  fmt::format_to(std::back_inserter(out), "{} {}: {}\n", iso_time(time), subject, what);
}

void append_text(std::string& out, WallTime time, EventTarget target, std::string_view what) {
  append_text(out, time, who(target), what);
}

ndjson::Line with_target(std::string_view type, EventTarget target) {
  ndjson::Line line(type);
  line.text("target", target.host).optional_text("addr", target.ip);
  return line;
}

std::string_view loss_name(Loss loss) {
  switch (loss) {
    case Loss::timeout:
      return "timeout";
    case Loss::icmp_error:
      return "icmp_error";
    case Loss::send_error:
      return "send_error";
  }
  return "timeout";
}

std::string_view loss_words(Loss loss) {
  switch (loss) {
    case Loss::timeout:
      return "timeout";
    case Loss::icmp_error:
      return "ICMP error";
    case Loss::send_error:
      return "send error";
  }
  return "timeout";
}

std::string_view ended_by_name(EndedBy ended_by) {
  switch (ended_by) {
    case EndedBy::replies:
      return "replies";
    case EndedBy::exit:
      return "exit";
    case EndedBy::resolve:
      return "resolve";
    case EndedBy::reload:
      return "reload";
  }
  return "replies";
}

// What a text line adds when an outage ended without replies.
std::string_view ended_by_words(EndedBy ended_by) {
  switch (ended_by) {
    case EndedBy::replies:
      return "";
    case EndedBy::exit:
      return " (still down when the monitor stopped)";
    case EndedBy::resolve:
      return " (the name now resolves to another address)";
    case EndedBy::reload:
      return " (the target was removed by a reload)";
  }
  return "";
}

std::string probes(std::uint64_t count) { return fmt::format("{} probe{}", count, count == 1 ? "" : "s"); }

// "ENETUNREACH", or the number when the C library has no name for it.
std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : std::to_string(error);
}

// The family an ICMP error is about, for iputils' wording: the target's address, else the sender's.
icmp::Family family_of(EventTarget target, std::string_view from) {
  const std::string_view address = target.ip.empty() ? from : target.ip;
  return address.find(':') != std::string_view::npos ? icmp::Family::v6 : icmp::Family::v4;
}

// iputils' wording; the MTU of "Frag needed" / "Packet too big" is not passed here, so it is left out
// rather than printed as 0.
std::string icmp_error_text(icmp::Family family, std::uint8_t type, std::uint8_t code) {
  std::string text = report::describe_icmp_error(family, type, code, 0);
  for (const std::string_view unknown : {" (mtu = 0)", ": mtu=0"}) {
    if (text.ends_with(unknown)) text.resize(text.size() - unknown.size());
  }
  return text;
}

std::string loss_text(const PeriodCounters& period) {
  if (period.sent == 0) return "0";
  const auto lost = static_cast<double>(static_cast<std::int64_t>(period.sent) -
                                        static_cast<std::int64_t>(period.received));
  return report::format_loss(lost * 100.0 / static_cast<double>(period.sent));
}

}  // namespace

void append_outage_start(std::string& out, EventFormat format, EventTarget target, const OutageStart& start) {
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("outage_start", target);
    line.raw("time", seconds_text(start.time)).text("cause", loss_name(start.cause));
    out += line.number("probes_lost", start.probes_lost).finish();
    return;
  }
  append_text(out, start.time, target,
              fmt::format("outage started: {} lost ({})", probes(start.probes_lost), loss_words(start.cause)));
}

void append_outage_end(std::string& out, EventFormat format, EventTarget target, const OutageEnd& end,
                       EndedBy ended_by) {
  const std::string duration = seconds_text(end.time - end.start);
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("outage_end", target);
    line.raw("time", seconds_text(end.time)).raw("start", seconds_text(end.start)).raw("duration_s", duration);
    out += line.number("probes_lost", end.probes_lost).text("ended_by", ended_by_name(ended_by)).finish();
    return;
  }
  append_text(
      out, end.time, target,
      fmt::format("outage ended after {} s: {} lost{}", duration, probes(end.probes_lost), ended_by_words(ended_by)));
}

void append_summary(std::string& out, EventFormat format, EventTarget target, const TargetMetrics& metrics,
                    WallTime now, std::chrono::seconds period_length) {
  const PeriodCounters& period = metrics.period();
  const RttStatistics& rtt = metrics.period_rtt();
  // Duplicates alone (of probes already timed out) are no answer, as in the sweep's summary.
  const bool answered = period.received > 0;
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("monitor_summary", target);
    line.raw("time", seconds_text(now)).number("period_s", static_cast<std::uint64_t>(period_length.count()));
    line.number("sent", period.sent).number("send_errors", period.send_errors);
    line.number("received", period.received).number("duplicates", period.duplicates);
    line.number("errors", period.errors).number("timeouts", period.timeouts);
    line.raw("loss_pct", loss_text(period));
    line.raw("rtt_ms", answered ? ndjson::rtt_figures(rtt) : "null");
    line.raw("jitter_ms", answered ? ndjson::jitter_figures(rtt.jitter()) : "null");
    out += line.flag("up", metrics.up()).finish();
    return;
  }
  std::string what = fmt::format("last {} s: {} sent, {} received", period_length.count(), period.sent,
                                 period.received);
  if (period.duplicates > 0) what += fmt::format(", +{} duplicates", period.duplicates);
  if (period.errors > 0) what += fmt::format(", +{} errors", period.errors);
  if (period.send_errors > 0) what += fmt::format(", {} send errors", period.send_errors);
  what += fmt::format(", {}% packet loss", loss_text(period));
  if (const auto summary = rtt.summary(); answered && summary) {
    what += fmt::format(", rtt min/avg/max/mdev = {}/{}/{}/{} ms", ndjson::millis(summary->min),
                        ndjson::millis(summary->avg), ndjson::millis(summary->max), ndjson::millis(summary->mdev));
  }
  what += metrics.up() ? ", up" : ", down";
  append_text(out, now, target, what);
}

void append_resolve(std::string& out, EventFormat format, EventTarget target, std::string_view previous, WallTime now) {
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("resolve", target);
    out += line.optional_text("previous", previous).raw("time", seconds_text(now)).finish();
    return;
  }
  if (previous.empty()) {
    append_text(out, now, target, "resolved to " + shown(target.ip));
  } else {
    append_text(out, now, target, "now resolves to " + shown(target.ip) + " (was " + shown(previous) + ")");
  }
}

void append_resolve_error(std::string& out, EventFormat format, EventTarget target, std::string_view error,
                          std::uint64_t failures, WallTime now) {
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("resolve_error", target);
    out += line.raw("time", seconds_text(now)).text("error", error).number("failures", failures).finish();
    return;
  }
  std::string what = fmt::format("cannot resolve ({} in a row): {}", failures, shown(error));
  if (!target.ip.empty()) what += "; still probing " + shown(target.ip);
  append_text(out, now, target, what);
}

void append_reload(std::string& out, EventFormat format, bool ok, std::string_view error, std::size_t targets,
                   WallTime now) {
  if (format == EventFormat::json) {
    ndjson::Line line("reload");
    line.raw("time", seconds_text(now)).flag("ok", ok).number("targets", targets);
    out += line.optional_text("error", ok ? std::string_view() : error).finish();
    return;
  }
  if (ok) {
    append_text(out, now, "reload", fmt::format("{} target{} watched", targets, targets == 1 ? "" : "s"));
  } else {
    append_text(
        out, now, "reload",
        fmt::format("failed, the {} target{} watched are kept: {}", targets, targets == 1 ? "" : "s", shown(error)));
  }
}

void append_reply(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq, Micros rtt,
                  std::optional<int> ttl, WallTime now) {
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("reply", target);
    line.number("seq", seq).raw("rtt_ms", ndjson::millis(rtt));
    line.raw("ttl", ttl ? std::to_string(*ttl) : "null");
    out += line.raw("time", seconds_text(now)).finish();
    return;
  }
  const std::string hops = ttl ? fmt::format(" ttl={}", *ttl) : std::string();
  append_text(out, now, target, fmt::format("seq={}{} time={} ms", seq, hops, ndjson::millis(rtt)));
}

void append_timeout(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq, WallTime now) {
  if (format == EventFormat::json) {
    out += with_target("timeout", target).number("seq", seq).raw("time", seconds_text(now)).finish();
    return;
  }
  append_text(out, now, target, fmt::format("seq={} timeout", seq));
}

void append_icmp_error(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq,
                       std::string_view from, IcmpErrorKind kind, std::uint8_t type, std::uint8_t code, WallTime now) {
  const std::string text = icmp_error_text(family_of(target, from), type, code);
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("icmp_error", target);
    line.number("seq", seq).text("from", from).number("icmp_type", type).number("icmp_code", code);
    out += line.text("text", text).text("kind", label_of(kind)).raw("time", seconds_text(now)).finish();
    return;
  }
  append_text(out, now, target, fmt::format("seq={} from {}: {}", seq, shown(from), text));
}

void append_send_error(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq, int error,
                       WallTime now) {
  if (format == EventFormat::json) {
    ndjson::Line line = with_target("send_error", target);
    line.number("seq", seq).text("errno", errno_name(error)).text("error", std::strerror(error));
    out += line.raw("time", seconds_text(now)).finish();
    return;
  }
  append_text(out, now, target, fmt::format("seq={} cannot send: {}", seq, std::strerror(error)));
}

}  // namespace uping::monitor
