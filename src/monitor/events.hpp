#pragma once
// The monitor's events on stdout: NDJSON with --json (docs/json.md conventions: "v":1, "type",
// absent values null, times as Unix seconds with millisecond decimals), else one text line each
// ("2026-12-01T13:52:11.123Z db1 (203.0.113.5): outage started: 3 probes lost (timeout)").
// Pure: each function appends one complete line, newline included, to `out`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "monitor/outage.hpp"
#include "monitor/target_metrics.hpp"

namespace uping::monitor {

enum class EventFormat : std::uint8_t { text, json };

struct EventTarget {
  std::string_view host;  // as configured
  std::string_view ip;    // the address probed; empty: none yet (null in JSON)
};

// Why an outage ended other than by replies.
enum class EndedBy : std::uint8_t { replies, exit, resolve, reload };

void append_outage_start(std::string& out, EventFormat format, EventTarget target, const OutageStart& start);
void append_outage_end(std::string& out, EventFormat format, EventTarget target, const OutageEnd& end,
                       EndedBy ended_by);
// monitor_summary: the sweep's summary fields over the last period.
void append_summary(std::string& out, EventFormat format, EventTarget target, const TargetMetrics& metrics,
                    WallTime now, std::chrono::seconds period);
// A name now resolves to another address (previous empty: the first resolution).
void append_resolve(std::string& out, EventFormat format, EventTarget target, std::string_view previous,
                    WallTime now);
void append_resolve_error(std::string& out, EventFormat format, EventTarget target, std::string_view error,
                          std::uint64_t failures, WallTime now);
// SIGHUP: the file re-read (targets now watched), or why it was not (the old set is kept).
void append_reload(std::string& out, EventFormat format, bool ok, std::string_view error, std::size_t targets,
                   WallTime now);

// -v only: each settled probe.
void append_reply(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq, Micros rtt,
                  std::optional<int> ttl, WallTime now);
void append_timeout(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq, WallTime now);
void append_icmp_error(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq,
                       std::string_view from, IcmpErrorKind kind, std::uint8_t type, std::uint8_t code,
                       WallTime now);
void append_send_error(std::string& out, EventFormat format, EventTarget target, std::uint64_t seq, int error,
                       WallTime now);

}  // namespace uping::monitor
