#pragma once
// fping 5.5's text templates (src/output.c, src/stats.c), pure functions of the Book's counters: the
// per-reply and timeout lines, the -c / -C / -Q summary lines, the -s block and the -D prefixes.
// Each returns exactly what fping prints, byte for byte; the Book decides when and on which stream.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fping/book.hpp"

namespace uping::fping {

// The mean of `count` replies, truncated to whole nanoseconds as fping's is. fping keeps it in a C int,
// so an average above 2.147 s wraps negative there; uping keeps 64 bits (a deliberate difference).
Nanos int_average(Nanos total, std::int64_t count);

// "[1796118965.08603] " or the --timestamp-format text in brackets, local time (-D).
std::string timestamp_prefix(TimestampFormat format, WallClock when);
// The same time as JSON's first field: "\"timestamp\": \"…\", ".
std::string json_timestamp_field(TimestampFormat format, WallClock when);
// "[HH:MM:SS]\n", local time, as -Q heads its blocks.
std::string clock_line(WallClock when);

// `host` left-aligned in `width` columns (fping's "%-*s").
std::string padded(std::string_view host, std::size_t width);

// "{n}% loss)" while received <= sent, else "{m}% return)" from the replies including invalid ones.
std::string loss_or_return(std::int64_t sent, std::int64_t received, std::int64_t received_total);

// "{host} : [{seq}], {bytes} bytes, {rtt} ms ({avg} avg, {loss}% loss)" without the line end.
std::string reply_text(std::string_view host_padded, std::uint32_t seq, std::size_t bytes, Nanos rtt, Nanos average,
                       std::int64_t sent, std::int64_t received, std::int64_t received_total);
// "{host} : [{seq}], timed out ({avg|NaN} avg, {loss}% loss)\n".
std::string timeout_line(std::string_view host_padded, std::uint32_t seq, const Tally& tally,
                         std::int64_t received_total);
// "{host} : duplicate for [{seq}], {bytes} bytes, {rtt} ms" without the line end.
std::string duplicate_text(std::string_view host, std::uint32_t seq, std::size_t bytes, Nanos rtt);

// The -c summary and -Q split line: "{host} : xmt/rcv/%loss = s/r/l%[, outage(ms) = n][, min/avg/max = …]\n".
std::string summary_line(std::string_view host_padded, const Tally& tally, bool outage, Nanos period);
// The -C line: "{host} :" then " {rtt}" or " -" for each of the first `sent` probes, then "\n".
std::string all_rtts_line(std::string_view host_padded, const std::vector<Nanos>& times, std::int64_t sent);
// fping's -c outage figure: lost probes times the period, in whole milliseconds.
std::int64_t outage_ms(const Tally& tally, Nanos period);

// The whole-run figures of -s.
struct GlobalTally {
  std::size_t targets = 0;
  std::size_t alive = 0;
  std::size_t unreachable = 0;
  std::size_t unknown_addresses = 0;
  std::int64_t timeouts = 0;
  std::int64_t echos_sent = 0;
  std::int64_t replies_received = 0;  // duplicates and late ones included
  std::int64_t other_icmp = 0;
  Nanos min_rtt = 0;
  Nanos max_rtt = 0;
  Nanos sum_rtt = 0;
  std::int64_t replies_timed = 0;
  Nanos elapsed = 0;
};
std::string global_stats_block(const GlobalTally& tally);

// -N's netdata block for one target: its three charts (declared when `declare`), the interval's figures.
std::string netdata_block(std::string_view name, std::string_view host, const Tally& interval, Nanos report_interval,
                          bool declare);

// " (TOS n)" / " (TOS unknown)" and " (TTL n)" / " (TTL unknown)" when asked for.
std::string tos_ttl_text(const FpingOptions& options, std::optional<int> ttl, std::optional<int> tos);

// fping's strerror text for a send error (not locale-dependent in the C locale fping runs in).
std::string error_text(int error);

}  // namespace uping::fping
