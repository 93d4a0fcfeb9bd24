#pragma once
// What a sweep prints, as pure functions of what happened: NDJSON lines (schema version 1,
// documented in docs/json.md and uping(8)), text lines, per-target and run summaries, and the
// exit code. Strings go through Boost.JSON's serializer; RTTs are exact decimal milliseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/ndjson.hpp"
#include "cli/targets.hpp"
#include "multi/sweep_options.hpp"
#include "uping/icmp.hpp"
#include "uping/rtt_statistics.hpp"
#include "uping/stats.hpp"

namespace uping::sweep {

inline constexpr int kJsonSchemaVersion = ndjson::kSchemaVersion;

// Which target an event belongs to: as given (name or address) and the address probed
// (canonical numeric form; empty when the name was never resolved).
struct TargetRef {
  std::string_view target;
  std::string_view address;
  bool literal = false;  // given as an address: lines show the canonical address alone
};

struct ReplySeen {
  std::uint32_t seq = 0;      // the target's probe number, from 1
  std::optional<Micros> rtt;  // absent when the payload is too small to time (-s < 16)
  std::optional<int> ttl;
  std::size_t icmp_bytes = 0;
  bool duplicate = false;
};

struct IcmpErrorSeen {
  std::uint32_t seq = 0;
  std::string_view from;  // the router or host that reported it
  icmp::Family family = icmp::Family::v4;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t info = 0;
};

// Why a run ended (no_socket: it never started, no ICMP socket could be opened; input_error: a
// --file line or read failed, and the targets taken before it were probed).
enum class StopReason : std::uint8_t { complete, deadline, reachable, interrupted, no_socket, input_error };
std::string_view stop_reason_name(StopReason reason);

struct RunTotals {
  std::uint64_t targets = 0;      // targets taken from the sources (failed ones included)
  std::uint64_t alive = 0;        // answered at least once
  std::uint64_t unreachable = 0;  // every probe settled without an answer
  std::uint64_t unfinished = 0;   // not settled when the run stopped early (-X, -w, SIGINT): still
                                  // waiting for replies, or taken from a source but never probed
  std::uint64_t failed = 0;       // could not be probed: unresolvable, no socket of its family
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;  // probes the kernel refused (not sent)
  std::uint64_t received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t errors = 0;  // ICMP errors
  std::uint64_t timeouts = 0;
  std::uint64_t kernel_drops = 0;  // datagrams the kernel dropped (receive buffer full)
  std::size_t sockets = 0;
  Micros elapsed = 0;
  StopReason stopped = StopReason::complete;
  bool sources_exhausted = true;  // every target of every source was taken
  RttStatistics rtt;              // --json: every timed reply of every retired target, merged
};

// 0 when the targets that had to answer did:
//   -x/-X N: at least N targets answered, whatever ended the run;
//   SIGINT (as iputils after Ctrl-C): at least one target answered and none was settled without
//           an answer (unreachable) or failed; targets still waiting or never probed do not count;
//   otherwise: every target of every source was taken and answered.
// Else 2 when a target could not be probed at all (or no socket opened, or --file failed: always 2), else 1.
int exit_code(const RunTotals& totals, const SweepOptions& options);

// The stderr line (without the program prefix) for what a run ended before taking from its
// sources, counted without reading them further; empty when nothing was left.
// "6 targets not probed (deadline): 6 from -g; the rest of --file not read"
std::string untaken_line(const targets::Untaken& untaken, StopReason stopped);

// Bytes that are not UTF-8 (a file's line, a name) become U+FFFD, so every line is valid JSON.
using ndjson::valid_utf8;

// One line each, ending in '\n'.
std::string json_reply(const TargetRef& target, const ReplySeen& reply);
std::string json_timeout(const TargetRef& target, std::uint32_t seq);
std::string json_icmp_error(const TargetRef& target, const IcmpErrorSeen& error);
// A probe the kernel refused: {"errno":"ENETUNREACH","error":"Network is unreachable"}.
std::string json_send_error(const TargetRef& target, std::uint32_t seq, int error);
std::string json_target_error(std::string_view target, std::string_view message);
struct SummaryCounts {
  std::uint64_t timeouts = 0;
  std::uint64_t send_errors = 0;
  bool complete = true;  // every probe settled (false when the run stopped before)
};
// Counts from `stats`; the rtt_ms and jitter_ms figures from `rtt` (the same replies).
std::string json_target_summary(const TargetRef& target, const Statistics& stats, const RttStatistics& rtt,
                                const SummaryCounts& counts);
std::string json_run_summary(const RunTotals& totals, int exit_code);

// What a target's retirement prints: its JSON summary, its name for --alive / --unreachable (which
// split the targets taken in two: answered or not, whatever ended the run), or its iputils
// statistics block (a target never probed has one too, with nothing transmitted).
struct Retired {
  TargetRef target;
  const Statistics* stats = nullptr;
  SummaryCounts counts;
  Micros elapsed = 0;                  // first to last send
  bool timing = true;                  // the payload holds a timestamp: rtt figures
  const RttStatistics* rtt = nullptr;  // JSON: the target's RTTs (none: never probed, or no timing)
};
std::string retired_output(OutputFormat format, const Retired& retired);

// "64 bytes from 198.51.100.7: icmp_seq=1 ttl=64 time=0.052 ms", or "... from name (addr): ..."
// for a target given by name.
std::string text_reply(const TargetRef& target, const ReplySeen& reply);
// "From 198.51.100.1 icmp_seq=1 Destination Host Unreachable (to 203.0.113.5)"
std::string text_icmp_error(const TargetRef& target, const IcmpErrorSeen& error);
// "icmp_seq=1 cannot send: Network is unreachable", for a stderr line naming the target.
std::string text_send_error(std::uint32_t seq, int error);

}  // namespace uping::sweep
