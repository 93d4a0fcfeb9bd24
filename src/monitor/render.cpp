#include "monitor/render.hpp"

#include <array>

#include "cli/targets.hpp"
#include "monitor/exposition.hpp"

namespace uping::monitor {
namespace {

constexpr double kMicrosPerSecond = 1e6;
constexpr double kNanosPerSecond = 1e9;

// Whole seconds and the fraction apart: nanoseconds since 1970 exceed a double's 53 bits, and a
// single division would print 1700000001.2499998 for a quarter past.
double unix_seconds(WallTime time) {
  const auto whole = std::chrono::floor<std::chrono::seconds>(time);
  return static_cast<double>(whole.count()) + static_cast<double>((time - whole).count()) / kNanosPerSecond;
}

bool resolved(const TargetView& target) { return target.metrics != nullptr && !target.ip.empty(); }

// host, ip, family: smokeping's two labels, then uping's.
std::array<Label, 3> target_labels(const TargetView& target) {
  return {Label{"host", target.host}, Label{"ip", target.ip}, Label{"family", target.family}};
}

// One per-target family: written only when some resolved target has a sample, every target's
// sample together. `value` answers the target's sample, or nothing.
template <typename ValueOf>
void per_target(Exposition& exposition, std::span<const TargetView> targets, std::string_view name, MetricType type,
                std::string_view help, ValueOf value) {
  bool started = false;
  for (const TargetView& target : targets) {
    if (!resolved(target)) continue;
    const auto sample = value(*target.metrics);
    if (!sample) continue;
    if (!started) exposition.family(name, type, help);
    started = true;
    const auto labels = target_labels(target);
    exposition.sample(Labels(labels), *sample);
  }
}

void rtt_histograms(Exposition& exposition, std::span<const TargetView> targets) {
  bool started = false;
  for (const TargetView& target : targets) {
    if (!resolved(target)) continue;
    if (!started) {
      exposition.family("smokeping_response_duration_seconds", MetricType::histogram,
                        "Round-trip time of each first reply (duplicates not observed).");
    }
    started = true;
    const ProbeCounters& total = target.metrics->total();
    const auto labels = target_labels(target);
    exposition.histogram(Labels(labels), HistogramSnapshot{rtt_bucket_bounds_seconds(), total.rtt_buckets,
                                                           static_cast<double>(total.rtt_sum_us) / kMicrosPerSecond});
  }
}

void icmp_errors(Exposition& exposition, std::span<const TargetView> targets) {
  bool started = false;
  for (const TargetView& target : targets) {
    if (!resolved(target)) continue;
    const ProbeCounters& total = target.metrics->total();
    for (std::size_t kind = 0; kind < kIcmpErrorKinds; ++kind) {
      if (total.icmp_errors[kind] == 0) continue;  // a type appears once seen: bounded, and no noise
      if (!started) {
        exposition.family("uping_icmp_errors_total", MetricType::counter, "Probes settled by an ICMP error, by kind.");
      }
      started = true;
      const std::array<Label, 4> labels = {Label{"host", target.host}, Label{"ip", target.ip},
                                           Label{"family", target.family},
                                           Label{"type", label_of(static_cast<IcmpErrorKind>(kind))}};
      exposition.sample(Labels(labels), total.icmp_errors[kind]);
    }
  }
}

void up(Exposition& exposition, std::span<const TargetView> targets) {
  if (targets.empty()) return;
  exposition.family("uping_up", MetricType::gauge,
                    "1 while the target is up by the outage rule, 0 in an outage or before its name resolved.");
  for (const TargetView& target : targets) {
    if (resolved(target)) {
      const auto labels = target_labels(target);
      exposition.sample(Labels(labels), target.metrics->up() ? std::uint64_t{1} : std::uint64_t{0});
    } else {
      // No address yet: no ip label (an empty one would be the same series to Prometheus anyway).
      exposition.sample({{"host", target.host}}, std::uint64_t{0});
    }
  }
}

// A name can fail to resolve; an address given as such cannot, and gets no series.
void resolve_failures(Exposition& exposition, std::span<const TargetView> targets) {
  bool started = false;
  for (const TargetView& target : targets) {
    if (targets::parse_address(target.host)) continue;
    if (!started) {
      exposition.family("uping_resolve_failures_total", MetricType::counter,
                        "Failed resolutions (first and periodic) of a target's name.");
    }
    started = true;
    exposition.sample({{"host", target.host}}, target.resolve_failures);
  }
}

void process(Exposition& exposition, const ProcessStats& stats) {
  exposition.family("process_cpu_seconds_total", MetricType::counter, "User and system CPU time spent in seconds.");
  exposition.sample({}, stats.cpu_seconds);
  exposition.family("process_resident_memory_bytes", MetricType::gauge, "Resident memory size in bytes.");
  exposition.sample({}, stats.resident_bytes);
  exposition.family("process_virtual_memory_bytes", MetricType::gauge, "Virtual memory size in bytes.");
  exposition.sample({}, stats.virtual_bytes);
  exposition.family("process_open_fds", MetricType::gauge, "Number of open file descriptors.");
  exposition.sample({}, stats.open_fds);
  exposition.family("process_max_fds", MetricType::gauge, "Maximum number of open file descriptors.");
  exposition.sample({}, stats.max_fds);
  exposition.family("process_start_time_seconds", MetricType::gauge,
                    "Start time of the process since the Unix epoch in seconds.");
  exposition.sample({}, stats.start_time_seconds);
}

void write_metrics(const MonitorView& view, Exposition& exposition) {
  const auto targets = view.targets;
  using Sample = std::optional<std::uint64_t>;
  using Gauge = std::optional<double>;

  per_target(exposition, targets, "smokeping_requests_total", MetricType::counter,
             "Probes settled: replies, timeouts, ICMP errors and send errors.",
             [](const TargetMetrics& m) { return Sample(m.total().requests); });
  rtt_histograms(exposition, targets);
  per_target(exposition, targets, "smokeping_response_ttl", MetricType::gauge, "TTL (hop limit) of the last reply.",
             [](const TargetMetrics& m) {
               const auto ttl = m.total().last_ttl;
               return ttl ? Sample(static_cast<std::uint64_t>(*ttl)) : Sample();
             });
  per_target(exposition, targets, "smokeping_response_duplicates_total", MetricType::counter, "Duplicate replies.",
             [](const TargetMetrics& m) { return Sample(m.total().duplicates); });
  per_target(exposition, targets, "smokeping_send_errors_total", MetricType::counter,
             "Probes the socket refused to send (counted as lost).",
             [](const TargetMetrics& m) { return Sample(m.total().send_errors); });
  per_target(exposition, targets, "uping_timeouts_total", MetricType::counter,
             "Probes with neither a reply nor an ICMP error within the timeout.",
             [](const TargetMetrics& m) { return Sample(m.total().timeouts); });
  icmp_errors(exposition, targets);
  up(exposition, targets);
  per_target(exposition, targets, "uping_outages_total", MetricType::counter, "Outages started.",
             [](const TargetMetrics& m) { return Sample(m.outages()); });
  per_target(exposition, targets, "uping_jitter_seconds", MetricType::gauge,
             "RFC 3550 smoothed jitter of the first replies' round-trip times.",
             [](const TargetMetrics& m) { return m.jitter_seconds(); });
  per_target(exposition, targets, "uping_last_reply_timestamp_seconds", MetricType::gauge,
             "Unix time of the last first reply.", [](const TargetMetrics& m) {
               const auto last = m.total().last_reply;
               return last ? Gauge(unix_seconds(*last)) : Gauge();
             });
  resolve_failures(exposition, targets);

  exposition.family("uping_targets", MetricType::gauge, "Targets configured.");
  exposition.sample({}, std::uint64_t{targets.size()});
  exposition.family("uping_build_info", MetricType::gauge, "Always 1; the version label says which uping.");
  exposition.sample({{"version", view.version}}, std::uint64_t{1});
  exposition.family("uping_config_last_reload_successful", MetricType::gauge,
                    "1 when the last reload of --file succeeded (or none was asked), else 0.");
  exposition.sample({}, view.last_reload_ok ? std::uint64_t{1} : std::uint64_t{0});
  exposition.family("uping_config_last_reload_success_timestamp_seconds", MetricType::gauge,
                    "Unix time of the last successful reload, or of the start.");
  exposition.sample({}, view.last_reload_success_seconds);
  if (view.process) process(exposition, *view.process);
}

}  // namespace

void render_metrics(const MonitorView& view, std::string& out) {
  Exposition exposition(out);
  write_metrics(view, exposition);
}

void render_metrics(const MonitorView& view, std::string& out, const ExpositionFlush& flush) {
  Exposition exposition(out, flush);
  write_metrics(view, exposition);
  if (!out.empty()) flush(out);
}

}  // namespace uping::monitor
