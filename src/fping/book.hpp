#pragma once
// fping 5.5's bookkeeping and every byte it prints after option parsing: the seam between the fping
// face's engine (which sends, receives, schedules and writes) and its text. PURE: no I/O, no clocks,
// no name lookups, no globals. The engine reports events in the order they happen and writes the
// returned Emissions in order.

#include <chrono>
#include <cstdint>
#include <optional>
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
};

// An ICMP error quoting one of our probes, as the engine got it from uping::Pinger.
struct IcmpErrorReport {
  bool ipv6 = false;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::string from;  // numeric address of the reporting router / host
};

class Book {
 public:
  // `unknown_addresses`: names that failed to resolve before the run (for -s and the exit code 2).
  Book(const FpingOptions& options, std::vector<Target> targets, std::size_t unknown_addresses);

  // Events, in the order they happen. `seq` is the target's probe index from 0 (fping's ping_index).
  Emission sent(std::size_t target, std::uint32_t seq);                     // a probe left
  Emission send_failed(std::size_t target, std::uint32_t seq, int error);  // the kernel refused it (errno)
  Emission reply(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes,
                 const std::string& from, WallClock now, std::optional<int> ttl, std::optional<int> tos);
  Emission duplicate(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes,
                     const std::string& from, WallClock now);
  Emission timeout(std::size_t target, std::uint32_t seq, WallClock now);
  Emission icmp_error(std::size_t target, std::uint32_t seq, const IcmpErrorReport& error);
  Emission interval_report(WallClock now);  // -Q's timer and SIGQUIT (resets the interval unless cumulative)
  Emission finish(Nanos elapsed);           // unreachable lines, -c/-C summaries, -s block, -x/-X verdict
  int exit_code() const;                    // 0 / 1 / 2 as fping's finish decides (-x/-X override)

  std::size_t alive_targets() const;             // targets with at least one reply (-X stops at min_reachable)
  bool target_alive(std::size_t target) const;  // default mode: no more retries once alive

 private:
  FpingOptions options_;
  std::vector<Target> targets_;
  std::size_t unknown_addresses_ = 0;
};

// Lines that come before a Book exists.
Emission name_error(const FpingOptions& options, const std::string& name, const std::string& message);
// "{name}: {gai_strerror}" on stderr (not with -q), plus the JSON warning record on stdout with -J.

std::string format_ms(Nanos ns);  // fping's sprint_tm

}  // namespace uping::fping
