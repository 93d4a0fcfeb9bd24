// fping 5.5's bookkeeping (src/fping.c: send_ping, stats_add, wait_for_reply, main_loop's timeout
// branch, finish), driven by the engine's events. Texts come from format.cpp, json.cpp, icmp_text.cpp.

#include "fping/book.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "fping/format.hpp"
#include "fping/icmp_text.hpp"
#include "fping/json.hpp"
#include "fping/schedule.hpp"

namespace uping::fping {

namespace {

Chunk out(std::string text) { return Chunk{Stream::out, std::move(text)}; }
Chunk err(std::string text) { return Chunk{Stream::err, std::move(text)}; }

// The address without its "%scope": fping compares the address bytes only.
std::string_view without_scope(std::string_view address) { return address.substr(0, address.find('%')); }

bool remove_in_flight(std::set<std::uint32_t>& in_flight, std::uint32_t seq) { return in_flight.erase(seq) != 0; }

// fping's min/max test: 0 means "none yet".
void record_rtt(Tally& tally, Nanos rtt) {
  ++tally.received;
  if (tally.max_rtt == 0 || rtt > tally.max_rtt) tally.max_rtt = rtt;
  if (tally.min_rtt == 0 || rtt < tally.min_rtt) tally.min_rtt = rtt;
  tally.total_rtt += rtt;
}

}  // namespace

Book::Book(const FpingOptions& options, std::vector<Target> targets, std::size_t unknown_addresses)
    : options_(options), targets_(std::move(targets)), unknown_addresses_(unknown_addresses) {
  hosts_.resize(targets_.size());
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    width_ = std::max(width_, targets_[i].display.size());
    Host& host = hosts_[i];
    host.timeout = options_.timeout_ns;
  }
}

Nanos Book::time_of(const Host& host, std::uint32_t seq) const {
  const std::size_t index = index_of(seq);
  return index < host.times.size() ? host.times[index] : kRespUnused;
}

// The times grow with the probes sent, never to `trials` at once: -c 4000000000 must not take 32 GB.
void Book::set_time(Host& host, std::uint32_t seq, Nanos value) {
  const std::size_t index = index_of(seq);
  if (options_.loop || index >= options_.trials) return;
  if (index >= host.times.size()) host.times.resize(index + 1, kRespUnused);
  host.times[index] = value;
}

// Counted when a probe is settled, not when it leaves, so that probes in flight are no loss.
void Book::settle(Host& host, std::uint32_t seq, std::optional<Nanos> rtt) {
  ++host.total.sent;
  ++host.interval.sent;
  if (!rtt) {
    set_time(host, seq, kRespTimeout);
    ++timeouts_;
    return;
  }
  record_rtt(host.total, *rtt);
  record_rtt(host.interval, *rtt);
  set_time(host, seq, *rtt);
}

Emission Book::sent(std::size_t target, std::uint32_t seq) {
  if (target >= hosts_.size()) return {};
  Host& host = hosts_[target];
  ++echos_sent_;
  set_time(host, seq, kRespWaiting);
  host.in_flight.insert(seq);
  host.last_timed_out = false;
  return {};
}

Emission Book::send_failed(std::size_t target, std::uint32_t seq, int error) {
  if (target >= hosts_.size()) return {};
  Host& host = hosts_[target];
#ifdef EHOSTDOWN
  // fping takes EHOSTDOWN for a send that left: the probe waits for its timeout.
  if (error == EHOSTDOWN) {
    const bool known = host.in_flight.contains(seq);
    return known ? Emission{} : sent(target, seq);
  }
#endif
  // The attempt counts as an echo sent once, whether or not `sent` announced it first.
  if (!remove_in_flight(host.in_flight, seq)) ++echos_sent_;
  Emission emission;
  if (options_.verbose && !options_.quiet) {
    emission.push_back(err(targets_[target].display + ": error while sending ping: " + error_text(error) + "\n"));
  }
  ++host.total.sent;
  ++host.interval.sent;
  set_time(host, seq, kRespError);
  host.last_timed_out = false;
  return emission;
}

std::string Book::marker(std::size_t target, const std::string& from) const {
  if (from.empty() || without_scope(from) == without_scope(targets_[target].address)) return {};
  return " [<- " + from + "]";
}

Emission Book::reply(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes, const std::string& from,
                     WallClock now, std::optional<int> ttl, std::optional<int> tos) {
  return receive(target, seq, rtt, icmp_bytes, from, now, ttl, tos);
}

// A reply after an ICMP error is the probe's first answer (the Pinger calls it a duplicate); any other
// duplicate is reported as one and counted nowhere but in -s "Replies received".
Emission Book::duplicate(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes,
                         const std::string& from, WallClock now) {
  if (target >= hosts_.size()) return {};
  Host& host = hosts_[target];
  if (host.in_flight.contains(seq)) {
    return receive(target, seq, rtt, icmp_bytes, from, now, std::nullopt, std::nullopt);
  }
  ++host.received_total;
  ++replies_received_;
  const bool quiet_run = options_.quiet && (options_.count_mode || options_.loop);  // hidden by -q / -Q (5.5)
  if (quiet_run || (options_.per_recv && !options_.loop)) return {};
  return {
      err(duplicate_text(targets_[target].display, printed_seq(seq), icmp_bytes, rtt) + marker(target, from) + "\n")};
}

Emission Book::receive(std::size_t target, std::uint32_t seq, Nanos rtt, std::size_t icmp_bytes,
                       const std::string& from, WallClock now, std::optional<int> ttl, std::optional<int> tos) {
  if (target >= hosts_.size()) return {};
  Host& host = hosts_[target];
  const Target& shown = targets_[target];
  ++host.received_total;
  ++replies_received_;

  if (options_.check_source && !from.empty() && without_scope(from) != without_scope(shown.address)) return {};

  // A probe answered before: reported on stderr only when replies have no line of their own.
  if (!options_.loop && time_of(host, seq) >= 0) {
    if (options_.per_recv) return {};
    return {err(duplicate_text(shown.display, printed_seq(seq), icmp_bytes, rtt) + marker(target, from) + "\n")};
  }
  if (rtt > host.timeout) return {};  // later than its timeout: dropped, the probe still times out

  remove_in_flight(host.in_flight, seq);
  settle(host, seq, rtt);
  ++replies_timed_;
  if (max_rtt_ == 0 || rtt > max_rtt_) max_rtt_ = rtt;
  if (min_rtt_ == 0 || rtt < min_rtt_) min_rtt_ = rtt;
  sum_rtt_ += rtt;
  host.timeout = options_.timeout_ns;
  host.last_timed_out = false;

  std::string line;
  if (host.total.received == 1) {
    ++alive_;
    if (options_.verbose || options_.alive) line = shown.display + (options_.verbose ? " is alive" : "");
  }
  if (!options_.verbose && !options_.alive && !options_.per_recv) return {};

  Emission emission;
  const std::string from_elsewhere = marker(target, from);
  // stdout is line-buffered, so the stderr marker written in the middle of the line comes out first.
  if (!from_elsewhere.empty()) emission.push_back(err(from_elsewhere));
  if (options_.json) {
    // JSON needs -c/-C/-l, so a reply has its record whenever it has a line at all.
    if (options_.per_recv)
      emission.push_back(out(json::reply(options_, shown.display, seq, icmp_bytes, rtt, now, ttl, tos)));
    return emission;
  }
  if (options_.per_recv) {
    if (options_.timestamp) line += timestamp_prefix(options_.timestamp_format, now);
    line += reply_text(padded(shown.display, width_), seq, icmp_bytes, rtt,
                       int_average(host.total.total_rtt, host.total.received), host.total.sent, host.total.received,
                       host.received_total);
  }
  line += tos_ttl_text(options_, ttl, tos);
  if (options_.elapsed && !options_.per_recv) line += " (" + format_ms(rtt) + " ms)";
  line += '\n';
  emission.push_back(out(std::move(line)));
  return emission;
}

Emission Book::timeout(std::size_t target, std::uint32_t seq, WallClock now) {
  if (target >= hosts_.size()) return {};
  Host& host = hosts_[target];
  // Only a probe in flight can time out: one answered meanwhile has no timeout any more (fping removes
  // the event on the reply), which matters where the engine times out a probe the Pinger settled with
  // an ICMP error, and a reply came after all.
  if (!remove_in_flight(host.in_flight, seq)) return {};
  settle(host, seq, std::nullopt);

  Emission emission;
  if (options_.per_recv) {
    const std::string& display = targets_[target].display;
    if (options_.json) {
      emission.push_back(out(json::timeout(options_, display, seq, now)));
    } else {
      const std::string prefix = options_.timestamp ? timestamp_prefix(options_.timestamp_format, now) : std::string();
      emission.push_back(out(prefix + timeout_line(padded(display, width_), seq, host.total, host.received_total)));
    }
  }
  // The default mode retries while fewer than -r + 1 probes were settled, each time waiting -B times longer.
  host.last_timed_out = default_mode() && host.total.sent < static_cast<std::int64_t>(options_.retry) + 1;
  if (host.last_timed_out && options_.backoff_on) {
    host.timeout = backed_off(host.timeout, options_.backoff);
  }
  return emission;
}

Emission Book::icmp_error(std::size_t target, std::uint32_t /*seq*/, const IcmpErrorReport& error) {
  if (target >= hosts_.size()) return {};
  auto line = icmp_error_line(error, targets_[target].display);
  if (!line) return {};
  ++other_icmp_;
  if (options_.quiet) return {};
  return {err(std::move(*line))};
}

Emission Book::interval_report(WallClock now) { return options_.netdata ? netdata() : splits(now); }

Emission Book::quit_report(WallClock now) { return splits(now); }

Emission Book::netdata() {
  std::string block;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const Target& target = targets_[i];
    block += netdata_block(target.name.empty() ? target.display : target.name, target.display, hosts_[i].interval,
                           options_.report_interval_ns, !netdata_charts_sent_);
    hosts_[i].interval = Tally{};  // -N always starts a new interval, cumulative or not
  }
  netdata_charts_sent_ = true;
  return {out(std::move(block))};
}

Emission Book::splits(WallClock now) {
  Emission emission;
  std::string block;
  if (!options_.json) {
    if (options_.verbose || options_.per_recv) block += "\n";
    block += clock_line(now);
  }
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    Host& host = hosts_[i];
    const std::string& display = targets_[i].display;
    if (options_.json) {
      emission.push_back(out(json::interval_summary(display, host.interval, options_.outage, options_.period_ns, now)));
    } else {
      block += summary_line(padded(display, width_), host.interval, options_.outage, options_.period_ns);
    }
    if (!options_.cumulative) host.interval = Tally{};
  }
  if (!options_.json) emission.push_back(err(std::move(block)));
  return emission;
}

std::size_t Book::unreachable_targets() const {
  return static_cast<std::size_t>(
      std::count_if(hosts_.begin(), hosts_.end(), [](const Host& host) { return host.total.received == 0; }));
}

Emission Book::finish(Nanos elapsed) {
  Emission emission;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    if (hosts_[i].total.received != 0 || !(options_.verbose || options_.unreachable)) continue;
    emission.push_back(out(targets_[i].display + (options_.verbose ? " is unreachable\n" : "\n")));
  }

  if (options_.count_mode || options_.loop) {
    std::string block;
    if (!options_.json && (options_.verbose || options_.per_recv)) block += "\n";
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      const Host& host = hosts_[i];
      const std::string& display = targets_[i].display;
      if (options_.json) {
        emission.push_back(out(options_.report_all_rtts
                                   ? json::all_rtts(display, host.times, host.total.sent)
                                   : json::summary(display, host.total, options_.outage, options_.period_ns)));
      } else if (options_.report_all_rtts) {
        block += all_rtts_line(padded(display, width_), host.times, host.total.sent);
      } else {
        block += summary_line(padded(display, width_), host.total, options_.outage, options_.period_ns);
      }
    }
    if (!options_.json) emission.push_back(err(std::move(block)));
  }

  if (options_.stats) {
    GlobalTally tally;
    tally.targets = hosts_.size();
    tally.alive = alive_;
    tally.unreachable = unreachable_targets();
    tally.unknown_addresses = unknown_addresses_;
    tally.timeouts = timeouts_;
    tally.echos_sent = echos_sent_;
    tally.replies_received = replies_received_;
    tally.other_icmp = other_icmp_;
    tally.min_rtt = min_rtt_;
    tally.max_rtt = max_rtt_;
    tally.sum_rtt = sum_rtt_;
    tally.replies_timed = replies_timed_;
    tally.elapsed = elapsed;
    emission.push_back(options_.json ? out(json::stats(tally)) : err(global_stats_block(tally)));
  }

  if (options_.min_reachable != 0) {
    const std::size_t reachable = hosts_.size() - unreachable_targets();
    const std::string figures = "(required: " + std::to_string(options_.min_reachable) +
                                ", reachable: " + std::to_string(reachable) + ")\n";
    emission.push_back(out(
        (reachable >= options_.min_reachable ? "Enough hosts reachable " : "Not enough hosts reachable ") + figures));
  }
  return emission;
}

int Book::exit_code() const {
  if (options_.min_reachable != 0) {
    const std::size_t reachable = hosts_.size() - unreachable_targets();
    return reachable >= options_.min_reachable ? kExitAllAlive : kExitSomeUnreachable;
  }
  if (unknown_addresses_ != 0) return kExitAddressNotFound;
  if (alive_ != hosts_.size()) return kExitSomeUnreachable;
  return kExitAllAlive;
}

std::size_t Book::alive_targets() const { return alive_; }

bool Book::target_alive(std::size_t target) const {
  return target < hosts_.size() && hosts_[target].total.received > 0;
}

Nanos Book::probe_timeout(std::size_t target) const {
  return target < hosts_.size() ? hosts_[target].timeout : options_.timeout_ns;
}

bool Book::retry_due(std::size_t target) const { return target < hosts_.size() && hosts_[target].last_timed_out; }

Emission name_error(const FpingOptions& options, const std::string& name, const std::string& message) {
  Emission emission;
  if (!options.quiet) emission.push_back(err(name + ": " + message + "\n"));
  if (options.json) emission.push_back(out(json::warning(name, message)));
  return emission;
}

}  // namespace uping::fping
