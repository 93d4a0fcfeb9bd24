#pragma once
// fping 5.5's bookkeeping and every byte it prints after option parsing: the seam between the fping
// face's engine (which sends, receives, schedules and writes) and its text. PURE: no I/O, no clocks,
// no name lookups, no globals. The engine reports events in the order they happen and writes the
// returned Emissions in order.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fping/options.hpp"

namespace uping::fping {

using Nanos = std::int64_t;
using WallClock = std::chrono::system_clock::time_point;

enum class Stream : std::uint8_t { out, err };
struct Chunk {
  Stream stream;
  std::string text;  // complete lines, or a stderr fragment (the " [<- addr]" marker) that precedes its stdout line
};
using Emission = std::vector<Chunk>;  // to be written in order, each stdout chunk flushed at once

// One target as fping lists it after resolution (one per address with -m), in command-line order.
struct Target {
  std::string display;  // host string as fping prints it (-A / -n / -d already applied by the engine)
  std::string address;  // numeric address ("127.0.0.1", "::1", "fe80::1%lo"): the " [<- addr]" test and -A
  std::string name;     // the name as given (before -A / -n / -d), for -N's chart ids; empty: `display`
};

// An ICMP error quoting one of our probes, as the engine got it from uping::Pinger.
struct IcmpErrorReport {
  bool ipv6 = false;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::string from;  // numeric address of the reporting router / host
};

// fping's resp_times markers for a probe without a time (src/fping.c RESP_*).
inline constexpr Nanos kRespWaiting = -1;
inline constexpr Nanos kRespUnused = -2;
inline constexpr Nanos kRespError = -3;
inline constexpr Nanos kRespTimeout = -4;

// One target's counters (fping's HOST_ENTRY): since the start, and for the current -Q interval.
struct Tally {
  std::int64_t sent = 0;  // settled probes (replied, timed out, send failed): never ones in flight
  std::int64_t received = 0;
  Nanos min_rtt = 0;  // 0 = none yet (fping's test, so a 0 ns reply does not stick as the minimum)
  Nanos max_rtt = 0;
  Nanos total_rtt = 0;
};

class Book {
 public:
  // `unknown_addresses`: names that failed to resolve before the run (for -s and the exit code 2).
  Book(const FpingOptions& options, std::vector<Target> targets, std::size_t unknown_addresses);

  // Events, in the order they happen. `seq` is the target's probe index from 0 (fping's ping_index).
  // In the default mode fping numbers every try of a target 0, and so does the Book whatever `seq` says;
  // in -c/-C/-l `seq` is the printed "[seq]" (and -C's column).
  //
  // What settles a probe (counts it in "xmt", fping's num_sent): reply, timeout or send_failed. A probe
  // in flight is no loss yet, so per-reply loss figures count settled probes only, as fping's do.
  // - send_failed: instead of `sent` or after it, counted once as an echo sent either way. EHOSTDOWN is a
  //   send that left for fping: the probe then needs its timeout like any other.
  // - reply / duplicate: a reply to a probe no longer in flight is a duplicate: a stderr line when replies
  //   have no line of their own (and in loop mode), nothing with -q; never counted as a probe or a reply
  //   (fping 5.5 counts it as both in loop mode and with -c/-C -q: a deliberate difference, README); a
  //   reply later than probe_timeout() is dropped (counted only in -s "Replies received").
  // - icmp_error does not settle the probe: fping waits for its timeout (or a reply) after printing it.
  // - timeout: the probe's timeout passed unanswered; ignored unless the probe is in flight (announced by
  //   `sent` and not settled since: a reply after an ICMP error settles it, the Pinger's duplicate of it
  //   included).
  Emission sent(std::size_t target, std::uint32_t seq);                    // a probe left
  Emission send_failed(std::size_t target, std::uint32_t seq, int error);  // the kernel refused it (errno)
  Emission reply(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes, const std::string& from,
                 WallClock now, std::optional<int> ttl, std::optional<int> tos);
  Emission duplicate(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes, const std::string& from,
                     WallClock now);
  Emission timeout(std::size_t target, std::uint32_t seq, WallClock now);
  Emission icmp_error(std::size_t target, std::uint32_t seq, const IcmpErrorReport& error);
  // -Q's timer: the [HH:MM:SS] block on stderr, intSum records with -J, netdata blocks on stdout with -N;
  // the interval restarts unless ",cumulative" (always with -N).
  Emission interval_report(WallClock now);
  // SIGQUIT's report: as interval_report but never netdata (fping prints -N blocks on its timer only).
  Emission quit_report(WallClock now);
  Emission finish(Nanos elapsed);  // unreachable lines, -c/-C summaries, -s block, -x/-X verdict
  int exit_code() const;           // 0 / 1 / 2 as fping's finish decides (-x/-X override)

  std::size_t alive_targets() const;            // targets with at least one reply (-X stops at min_reachable)
  bool target_alive(std::size_t target) const;  // default mode: no more retries once alive

  // Helpers beyond the seam's minimum, for the engine's scheduling (fping keeps them per target):
  // the timeout of the target's next probe (-t, or the period up to 2 s in -c/-C/-l, multiplied by -B
  // after each timed-out try in the default mode, back to -t after a reply)...
  Nanos probe_timeout(std::size_t target) const;
  // ...and whether fping would retry now in the default mode: the last try timed out and fewer than
  // -r + 1 probes were settled (a send error ends the target's tries, as in fping).
  bool retry_due(std::size_t target) const;

 private:
  // fping's HOST_ENTRY: counters since the start and for the -Q interval, the per-probe times.
  struct Host {
    Tally total;
    Tally interval;
    std::int64_t received_total = 0;    // every reply matched to the target: duplicates, late ones
    std::vector<Nanos> times;           // fping's resp_times up to the last probe sent (not in loop mode)
    std::set<std::uint32_t> in_flight;  // probes sent and not yet settled (not fping's: the seam's); a set:
                                        // -l -p 0.01 keeps 200,000 in flight per target
    Nanos timeout = 0;
    bool last_timed_out = false;
  };

  bool default_mode() const { return !options_.count_mode && !options_.loop; }
  std::size_t index_of(std::uint32_t seq) const { return default_mode() ? 0 : seq; }
  std::uint32_t printed_seq(std::uint32_t seq) const { return default_mode() ? 0 : seq; }
  Nanos time_of(const Host& host, std::uint32_t seq) const;
  void set_time(Host& host, std::uint32_t seq, Nanos value);
  void settle(Host& host, std::uint32_t seq, std::optional<Nanos> rtt);  // fping's stats_add
  Emission receive(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes, const std::string& from,
                   WallClock now, std::optional<int> ttl, std::optional<int> tos);
  std::string marker(std::size_t target, const std::string& from) const;
  std::size_t unreachable_targets() const;
  Emission splits(WallClock now);
  Emission netdata();

  FpingOptions options_;
  std::vector<Target> targets_;
  std::vector<Host> hosts_;
  std::size_t unknown_addresses_ = 0;
  std::size_t width_ = 0;  // fping's max_hostname_len
  std::size_t alive_ = 0;
  std::int64_t timeouts_ = 0;
  std::int64_t echos_sent_ = 0;
  std::int64_t replies_received_ = 0;
  std::int64_t other_icmp_ = 0;
  Nanos min_rtt_ = 0;
  Nanos max_rtt_ = 0;
  Nanos sum_rtt_ = 0;
  std::int64_t replies_timed_ = 0;
  bool netdata_charts_sent_ = false;  // -N declares its charts once
};

// Lines that come before a Book exists.
Emission name_error(const FpingOptions& options, const std::string& name, const std::string& message);
// "{name}: {gai_strerror}" on stderr (not with -q), plus the JSON warning record on stdout with -J.

std::string format_ms(Nanos ns);  // fping's sprint_tm

}  // namespace uping::fping
