#pragma once
// What the monitor's HTTP endpoints and its textfile say, as text: /metrics (and --textfile) in
// Prometheus' exposition format, a /probe answer, and the `/` status page. Pure: the caller hands
// in views of its state. Metric names and meanings: docs/monitor.md (smokeping_prober's names for
// what it has, uping_* for the rest).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/exposition.hpp"
#include "monitor/target_metrics.hpp"
#include "uping/stats.hpp"

namespace uping::monitor {

// The process_* metrics, read from /proc by process_stats.cpp.
struct ProcessStats {
  double cpu_seconds = 0;  // user + system
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;
  double start_time_seconds = 0;  // Unix time
};

// One watched target. A name that never resolved has no address and no metrics.
struct TargetView {
  std::string_view host;    // as configured: the `host` label
  std::string_view ip;      // numeric address probed: the `ip` label; empty before a resolution
  std::string_view family;  // "ipv4" / "ipv6"; empty with ip
  const TargetMetrics* metrics = nullptr;  // null with ip
  std::uint64_t resolve_failures = 0;
  std::optional<Micros> last_rtt;  // for the status page
};

struct MonitorView {
  std::span<const TargetView> targets;
  std::optional<ProcessStats> process;  // none: the process_* families are left out
  bool last_reload_ok = true;
  double last_reload_success_seconds = 0;  // Unix time (the start, before any reload)
  std::string_view version;                // uping_build_info{version=...}
};

// Appends the whole exposition (every family once, every target's series together, no
// timestamps) to `out`.
void render_metrics(const MonitorView& view, std::string& out);
// The same text in pieces: `flush` gets `out` whenever a whole series has taken it past
// Exposition::kFlushAt (about 64 KiB), and once more at the end if anything is left, and is
// expected to empty it (into a GzipWriter, a socket). What it is handed, concatenated, is exactly
// what the overload above appends; at 10,000 targets that is tens of MB never held at once.
void render_metrics(const MonitorView& view, std::string& out, const ExpositionFlush& flush);

// One /probe: `count` packets to one address.
struct ProbeOutcome {
  std::optional<icmp::Family> family;  // empty when the name did not resolve
  bool dns_failed = false;
  std::chrono::nanoseconds dns_time{0};
  std::chrono::nanoseconds duration{0};  // the whole probe, resolution included
  std::uint32_t sent = 0;                // send failures included
  std::uint32_t received = 0;            // first replies
  std::uint32_t duplicates = 0;
  std::array<std::uint32_t, kIcmpErrorKinds> icmp_errors{};
  std::vector<Micros> rtts;  // first replies' RTTs (at most ProbeLimits::max_count)
  std::optional<int> last_ttl;
};

// probe_success, probe_duration_seconds, probe_ip_protocol, probe_dns_lookup_time_seconds,
// probe_dns_lookup_failed, probe_icmp_packets_sent / _received, probe_icmp_duplicates,
// probe_icmp_loss_ratio, probe_icmp_rtt_seconds{stat=min|avg|max|mdev|p50|p90|p99} (with a
// reply), probe_icmp_errors{type}, probe_icmp_reply_hop_limit: all gauges, as blackbox_exporter.
void render_probe(const ProbeOutcome& outcome, std::string& out);

// `/`: a small HTML page, one row per target (host, ip, up/down, last RTT, counters), every
// string HTML-escaped.
void render_status_page(const MonitorView& view, std::string& out);

}  // namespace uping::monitor
