#include "multi/sweep.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "cli/log.hpp"
#include "cli/report.hpp"
#include "cli/stdout_writer.hpp"
#include "cli/target_reader.hpp"
#include "cli/targets.hpp"
#include "multi/send_rate.hpp"
#include "multi/sweep_intake.hpp"
#include "multi/sweep_output.hpp"
#include "multi/sweep_target.hpp"
#include "system/diagnose.hpp"
#include "system/privileges.hpp"
#include "system/resolve.hpp"
#include "uping/pinger.hpp"

namespace uping::sweep {
namespace {

namespace asio = boost::asio;

// Probes sent before the event loop gets a turn (timers, signals), and between two receive
// passes: 64 replies of a loopback burst fit any receive buffer (a stock 208 KiB one too).
constexpr std::size_t kSendBatch = 256;
constexpr std::size_t kSendsPerReceive = 64;
// How long to back off when the kernel refuses a send (socket buffer full) or no sequence is free.
constexpr auto kBackPressureWait = std::chrono::milliseconds(1);
constexpr std::size_t kOutputFlushBytes = 64 << 10;

class Sweep {
 public:
  explicit Sweep(const SweepOptions& options)
      : options_(options),
        timing_(options.payload_size >= icmp::kTimestampSize),
        interval_(std::chrono::duration_cast<Clock::duration>(options.interval)),
        rate_(options.rate),
        stream_(options.targets, options.ranges, nullptr),
        pinger_(io_, pinger_settings(options), handlers()),
        intake_(io_, stream_, options.family, [this] { wake(); }),
        pace_timer_(io_),
        deadline_timer_(io_),
        signals_(io_, SIGINT) {}

  // Sockets first and privileges dropped before any name is resolved or file opened or read.
  // Returns the exit code when the sweep cannot start.
  std::optional<int> open_sockets() {
    if (options_.family != icmp::Family::v6) has_socket_[0] = open(icmp::Family::v4);
    if (options_.family != icmp::Family::v4) has_socket_[1] = open(icmp::Family::v6);
    if (const auto failure = privileges::drop_all()) {
      log::error("cannot drop privileges: " + *failure);
      return kError;
    }
    load_user_charset_if_needed(options_.targets, options_.file.has_value());
    if (!has_socket_[0] && !has_socket_[1]) {
      std::fputs(explain_socket_failure(options_.program_name, gather_permission_facts(attempts_)).c_str(), stderr);
      // The run line still closes the JSON output, so that a reader learns why nothing came.
      totals_.stopped = StopReason::no_socket;
      totals_.sources_exhausted = false;
      if (options_.format == OutputFormat::json) out_ += json_run_summary(totals_, kError);
      flush();
      return kError;
    }
    return std::nullopt;
  }

  // The --file source, opened by the caller once privileges are dropped, read on a thread of its own.
  void read_lines_from(targets::TargetFile file) {
    stream_.read_lines_from(targets::read_in_background(io_, std::move(file), [this] { wake(); }));
  }

  int run() {
    start_ = Clock::now();
    rate_.start(start_);
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) finish(StopReason::interrupted);
    });
    if (options_.deadline) {
      deadline_timer_.expires_at(start_ + std::chrono::duration_cast<Clock::duration>(*options_.deadline));
      deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) finish(StopReason::deadline);
      });
    }
    pump();
    if (!finished_) io_.run();
    flush();
    const std::string untaken = untaken_line(stream_.untaken(), totals_.stopped);
    if (!untaken.empty()) log::error(untaken);
    // A reader that went away (`| head`) ends the sweep as quietly as it ends a ping.
    if (write_error_ != 0) return report_write_error(write_error_, kError, BrokenPipe::quiet);
    return exit_code_;
  }

 private:
  bool open(icmp::Family family) {
    auto opened = pinger_.open(family);
    attempts_.insert(attempts_.end(), opened.attempts.begin(), opened.attempts.end());
    return static_cast<bool>(opened);
  }

  PingerHandlers handlers() {
    PingerHandlers handlers;
    handlers.on_reply = [this](const Reply& reply) { on_reply(reply); };
    handlers.on_duplicate = [this](const Reply& reply) { on_reply(reply); };
    handlers.on_icmp_error = [this](const IcmpError& error) { on_error(error); };
    handlers.on_timeout = [this](const Timeout& timeout) { on_timeout(timeout.token); };
    return handlers;
  }

  // --- sending ---------------------------------------------------------------------------------

  // Sends what is due and allowed now, then sleeps until the next probe is due or allowed.
  void pump() {
    pump_posted_ = false;
    if (finished_) return;
    in_pump_ = true;
    const auto now = Clock::now();
    rate_.refill(now);
    std::size_t sent = 0;
    bool blocked = false;
    while (sent < kSendBatch && !finished_) {
      if (!rate_.allows()) break;
      const auto slot = next_to_probe(now);
      if (!slot) break;
      if (!send_probe(*slot, now)) {
        due_.push_front({now, *slot, targets_[*slot].generation});
        blocked = true;
        break;
      }
      rate_.take();
      if (++sent % kSendsPerReceive == 0) pinger_.receive_now();
    }
    if (!finished_) pinger_.receive_now();
    in_pump_ = false;
    if (finished_) return;
    retire_check_done();
    if (finished_) return;
    schedule(now, sent == kSendBatch, blocked);
  }

  void schedule(Clock::time_point now, bool more_now, bool blocked) {
    if (blocked) {
      flush();
      arm_pace_timer(now + kBackPressureWait);
      return;
    }
    const bool work_waiting = (!due_.empty() && due_.front().at <= now) || can_admit();
    if (work_waiting) {
      if (!rate_.allows()) {
        arm_pace_timer(rate_.next_allowed(now));
      } else if (more_now) {
        post_pump();
      }
      if (out_.size() >= kOutputFlushBytes) flush();
      return;
    }
    flush();
    if (!due_.empty()) arm_pace_timer(due_.front().at);
    // Otherwise replies, errors and timeouts retire targets and wake the pump (wake()).
  }

  void arm_pace_timer(Clock::time_point at) {
    pace_timer_.expires_at(at);
    pace_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump();
    });
  }

  void post_pump() {
    if (pump_posted_) return;
    pump_posted_ = true;
    asio::post(io_, [this] { pump(); });
  }

  // Called when a target retires: room for the next one.
  void wake() {
    if (!in_pump_ && !finished_ && can_admit()) post_pump();
  }

  bool can_admit() const { return targets_.active() < kMaxActiveTargets && intake_.ready_now(); }

  std::optional<std::uint32_t> next_to_probe(Clock::time_point now) {
    while (!due_.empty() && due_.front().at <= now) {
      const DueProbe due = due_.front();
      due_.pop_front();
      if (targets_.holds(due.slot, due.generation)) return due.slot;
    }
    // Each admit() takes a target or turns ready_now() false: no endless loop.
    while (can_admit()) {
      if (auto slot = admit()) return slot;
    }
    return std::nullopt;
  }

  // Takes the next target ready from the intake; empty when it could not be probed (already
  // reported) or none is ready now.
  std::optional<std::uint32_t> admit() {
    auto next = intake_.next();
    if (!next) {
      report_input_error();
      return std::nullopt;
    }
    ++totals_.targets;
    if (!next->error.empty()) {
      target_failed(next->text, next->error);
      return std::nullopt;
    }
    const icmp::Family family = next->address.family();
    if (options_.family && family != *options_.family) {
      target_failed(next->text, family == icmp::Family::v4 ? "an IPv4 target with -6" : "an IPv6 target with -4");
      return std::nullopt;
    }
    if (family == icmp::Family::v4 && options_.payload_size > kMaxIpv4PayloadSize) {
      target_failed(next->text, fmt::format("-s {} is too large for IPv4 (at most {})", options_.payload_size,
                                            kMaxIpv4PayloadSize));
      return std::nullopt;
    }
    if (!has_socket_[family == icmp::Family::v4 ? 0 : 1]) {
      target_failed(next->text, brief_socket_failure(attempts_, family));
      return std::nullopt;
    }
    const std::uint32_t slot = targets_.take();
    targets_[slot].start(std::move(*next), options_.format == OutputFormat::json && timing_);
    return slot;
  }

  void target_failed(const std::string& text, const std::string& message) {
    ++totals_.failed;
    if (options_.format == OutputFormat::json) {
      out_ += json_target_error(text, message);
    } else {
      flush();  // keep stdout and stderr in order on a terminal
      log::error(printable(text) + ": " + message);
    }
  }

  // False when the probe could not leave now (back-pressure): it is tried again.
  bool send_probe(std::uint32_t slot, Clock::time_point now) {
    ActiveTarget& target = targets_[slot];
    const std::uint32_t probe = target.probes + 1;
    const SendResult result = pinger_.send(target.address, make_token(slot, target.generation, probe));
    if (result.status == SendStatus::busy) return false;
    if (target.probes == 0) target.first_send = now;
    target.last_send = now;
    target.probes = probe;
    if (target.probes < options_.count) due_.push_back({now + interval_, slot, target.generation});
    if (result.status == SendStatus::failed) {
      send_failed(target, probe, result.error);
      return true;
    }
    target.stats.record_transmit();
    ++totals_.sent;
    return true;
  }

  // The kernel refused the probe: said at once, not counted as sent, and settled (may retire the target).
  void send_failed(ActiveTarget& target, std::uint32_t probe, int error) {
    ++target.send_errors;
    if (options_.format == OutputFormat::json) {
      out_ += json_send_error(ref(target), probe, error);
    } else {
      flush();  // keep stdout and stderr in order on a terminal
      log::error(printable(target.text) + ": " + text_send_error(probe, error));
    }
    settle(target);
  }

  // --- what comes back -------------------------------------------------------------------------

  void on_reply(const Reply& reply) {
    std::uint32_t probe = 0;
    ActiveTarget* target = targets_.find(reply.token, probe);
    if (target == nullptr) return;
    const bool first_answer = target->stats.received() == 0 && !reply.duplicate;
    target->stats.record_reply(timing_ ? std::optional<Micros>(reply.rtt) : std::nullopt, reply.duplicate);
    if (target->rtt) target->rtt->record(reply.rtt, reply.duplicate);
    const ReplySeen seen{probe, timing_ ? std::optional<Micros>(reply.rtt) : std::nullopt, reply.ttl, reply.icmp_bytes,
                         reply.duplicate};
    if (options_.format == OutputFormat::json) {
      out_ += json_reply(ref(*target), seen);
    } else if (options_.format == OutputFormat::text && !options_.quiet) {
      out_ += text_reply(printable_ref(*target), seen);
    }
    if (first_answer) ++answered_;
    if (!reply.duplicate) settle(*target);
    if (options_.stop_when_reachable && options_.reachable && answered_ >= *options_.reachable) {
      finish(StopReason::reachable);
    }
  }

  void on_error(const IcmpError& error) {
    std::uint32_t probe = 0;
    ActiveTarget* target = targets_.find(error.token, probe);
    if (target == nullptr) return;
    target->stats.record_error();
    const std::string from = numeric_host(error.from);
    const IcmpErrorSeen seen{probe, from, error.family, error.type, error.code, error.info};
    if (options_.format == OutputFormat::json) {
      out_ += json_icmp_error(ref(*target), seen);
    } else if (options_.format == OutputFormat::text && !options_.quiet) {
      out_ += text_icmp_error(printable_ref(*target), seen);
    }
    settle(*target);
  }

  void on_timeout(ProbeToken token) {
    std::uint32_t probe = 0;
    ActiveTarget* target = targets_.find(token, probe);
    if (target == nullptr) return;
    ++target->timeouts;
    if (options_.format == OutputFormat::json) out_ += json_timeout(ref(*target), probe);
    settle(*target);
  }

  static TargetRef ref(const ActiveTarget& target) { return {target.text, target.address_text, target.literal}; }

  // Text output goes to a terminal: a name read from a file may carry control characters.
  TargetRef printable_ref(const ActiveTarget& target) {
    printable_text_ = printable(target.text);
    return {printable_text_, target.address_text, target.literal};
  }

  void settle(ActiveTarget& target) {
    ++target.settled;
    if (target.probes >= options_.count && target.settled >= target.probes) {
      retire(target, true);
      if (intake_.exhausted() && targets_.active() == 0) {
        finish(StopReason::complete);
      } else {
        wake();
      }
    }
  }

  // The target's summary, then its slot is free for the next one.
  void retire(ActiveTarget& target, bool complete) {
    const bool alive = target.stats.received() > 0;
    const bool lost = !alive && (complete || stopping_for_ == StopReason::deadline);
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(target.last_send - target.first_send);
    out_ += retired_output(options_.format, {ref(target),
                                             &target.stats,
                                             {target.timeouts, target.send_errors, complete},
                                             elapsed.count(),
                                             timing_,
                                             target.rtt ? &*target.rtt : nullptr});
    count_retired(totals_, target, alive, lost);
    targets_.release(target);
    if (out_.size() >= kOutputFlushBytes) flush();
  }

  // Targets taken from the sources that the run ended before probing: unfinished, never dropped.
  void retire_unprobed() {
    const Statistics nothing;
    for (const TakenTarget& taken : intake_.take_unprobed()) {
      ++totals_.targets;
      if (!taken.error.empty()) {
        target_failed(taken.text, taken.error);
        continue;
      }
      ++totals_.unfinished;
      out_ += retired_output(options_.format,
                             {{taken.text, taken.address_text, taken.literal}, &nothing, {0, 0, false}, 0, timing_});
    }
  }

  // Said once, when the file source ends on it; the run goes on with the targets already taken.
  void report_input_error() {
    if (input_error_told_ || !stream_.input_error()) return;
    input_error_told_ = true;
    flush();  // what came before it first
    log::error(*stream_.input_error());
  }

  void retire_check_done() {
    if (intake_.exhausted() && targets_.active() == 0) finish(StopReason::complete);
  }

  void finish(StopReason reason) {
    if (finished_) return;
    finished_ = true;
    report_input_error();
    stopping_for_ = reason;
    for (auto& target : targets_) {
      if (target.in_use) retire(target, false);
    }
    retire_unprobed();
    // A file that failed ends the run as input_error whatever came after: its rest was never read.
    totals_.stopped = stream_.input_error() ? StopReason::input_error : reason;
    totals_.sources_exhausted = intake_.exhausted() && reason == StopReason::complete;
    totals_.kernel_drops = pinger_.kernel_drops();
    totals_.sockets = pinger_.sockets();
    totals_.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
    exit_code_ = exit_code(totals_, options_);
    if (options_.format == OutputFormat::json) out_ += json_run_summary(totals_, exit_code_);
    pace_timer_.cancel();
    deadline_timer_.cancel();
    signals_.cancel();
    pinger_.stop();
    io_.stop();
  }

  // Output that cannot be written stops the run: probing on would only produce more lost results.
  void flush() {
    if (out_.empty()) return;
    if (write_error_ != 0) {
      out_.pending().clear();  // stdout has failed once: nothing more is written to it
      return;
    }
    write_error_ = out_.flush();
    if (write_error_ != 0) finish(StopReason::interrupted);
  }

  const SweepOptions& options_;
  const bool timing_;
  const Clock::duration interval_;
  SendRate rate_;
  asio::io_context io_{1};
  targets::TargetStream stream_;
  Pinger pinger_;
  Intake intake_;  // after io_: its resolver pool closes before the loop goes away
  asio::steady_timer pace_timer_;
  asio::steady_timer deadline_timer_;
  asio::signal_set signals_;
  std::vector<SocketAttempt> attempts_;
  std::array<bool, 2> has_socket_{false, false};

  TargetSlots targets_;
  std::deque<DueProbe> due_;

  Clock::time_point start_;
  bool pump_posted_ = false;
  bool in_pump_ = false;

  std::uint64_t answered_ = 0;
  RunTotals totals_;
  StopReason stopping_for_ = StopReason::complete;
  bool finished_ = false;
  bool input_error_told_ = false;
  int exit_code_ = kError;
  StdoutWriter out_;
  int write_error_ = 0;  // errno of the first failed stdout write
  std::string printable_text_;
};

}  // namespace

int run(const SweepOptions& options) {
  log::set_program_name(options.program_name);
  try {
    Sweep sweep(options);
    if (const auto cannot_start = sweep.open_sockets()) return *cannot_start;
    // Opened as the caller, after the drop: a set-user-ID copy must not read a file its caller may not.
    if (options.file) {
      auto opened = targets::open_target_file(*options.file);
      if (const auto* refusal = std::get_if<std::string>(&opened)) {
        log::error(*refusal);
        return kError;
      }
      sweep.read_lines_from(std::move(std::get<targets::TargetFile>(opened)));
    }
    return sweep.run();
  } catch (const std::exception& error) {
    log::error(error.what());
    return kError;
  }
}

}  // namespace uping::sweep
