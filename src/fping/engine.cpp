#include "fping/engine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cli/stdout_writer.hpp"
#include "fping/run.hpp"
#include "fping/schedule.hpp"
#include "uping/pinger.hpp"

namespace uping::fping {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

// A send the socket could not take now is tried again this much later.
constexpr std::int64_t kBusyRetryNs = 1'000'000;
// Probes sent before the event loop gets a turn (timers, signals).
constexpr int kStepsPerTurn = 256;
// The Pinger keeps each probe this much longer than the longest timeout that can still count its
// reply, so that a reply the schedule accepts is never one the Pinger has already given up on.
constexpr std::int64_t kPingerMarginNs = 1'000'000'000;

ProbeToken token_of(std::size_t target, std::uint32_t seq) { return (std::uint64_t{target} << 32U) | seq; }
std::size_t target_of(ProbeToken token) { return static_cast<std::size_t>(token >> 32U); }
std::uint32_t seq_of(ProbeToken token) { return static_cast<std::uint32_t>(token & 0xFFFFFFFFU); }

std::string numeric(const SocketAddress& address) {
  char buffer[NI_MAXHOST];
  if (getnameinfo(address.get(), address.length, buffer, sizeof buffer, nullptr, 0, NI_NUMERICHOST) != 0) return {};
  return buffer;
}

// -R: fping fills the payload with random bytes once, at start.
std::vector<std::uint8_t> random_payload(std::size_t size) {
  std::random_device seed;
  std::mt19937 generator(seed());
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> pattern(size == 0 ? 1 : size);
  for (auto& value : pattern) value = static_cast<std::uint8_t>(byte(generator));
  return pattern;
}

PingerSettings pinger_settings(const FpingOptions& options) {
  PingerSettings settings;
  settings.payload_size = options.payload_size;
  const ScheduleSettings schedule = ScheduleSettings::from(options);
  settings.timeout = std::chrono::nanoseconds(Schedule(schedule, 0, 0).longest_timeout() + kPingerMarginNs);
  if (options.ttl > 0) settings.ttl = static_cast<int>(options.ttl);
  settings.tos = options.tos;
  settings.mark = options.fwmark;
  settings.interface = options.interface.value_or("");
  if (options.source_ipv4) settings.source_v4 = parse_address(*options.source_ipv4);
  if (options.source_ipv6) settings.source_v6 = parse_address(*options.source_ipv6);
  settings.dont_fragment = options.dont_fragment;
  if (options.random_data) settings.payload_pattern = random_payload(options.payload_size);
  settings.receive_tos = options.print_tos;
  return settings;
}

}  // namespace

void EmissionWriter::write(const Emission& emission) {
  for (const Chunk& chunk : emission) {
    if (chunk.stream == Stream::out) {
      if (error_ == 0) error_ = write_stdout(chunk.text);
    } else {
      std::fwrite(chunk.text.data(), 1, chunk.text.size(), stderr);
    }
  }
}

std::int64_t Engine::steady_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch()).count();
}

class Engine::Loop {
 public:
  Loop(const FpingOptions& options, EmissionWriter& writer)
      : options_(options), writer_(writer), pinger_(io_, pinger_settings(options), handlers()), wake_timer_(io_) {}

  std::optional<int> open_sockets() {
    const std::string& program = options_.program_name;
    std::vector<SocketAttempt> attempts;
    bool any = false;
    for (const icmp::Family family : {icmp::Family::v4, icmp::Family::v6}) {
      if (options_.family == (family == icmp::Family::v4 ? AddressFamily::ipv6 : AddressFamily::ipv4)) continue;
      const OpenResult opened = pinger_.open(family);
      attempts.insert(attempts.end(), opened.attempts.begin(), opened.attempts.end());
      const bool v6 = family == icmp::Family::v6;
      if (opened.failure != OpenFailure::none) {
        const std::string reason = std::strerror(opened.error_number);
        if (opened.failure == OpenFailure::interface) {
          // fping's perror, and its exit code for -I.
          writer_.write({{Stream::err, std::string("binding to specific interface (SO_BINDTODEVICE)") +
                                           (v6 ? ", IPV6" : "") + ": " + reason + "\n"}});
          return kExitSomeUnreachable;
        }
        if (opened.failure == OpenFailure::bind) {
          writer_.write({{Stream::err, program + ": cannot bind source address : " + reason + "\n"}});
          return kExitSystemCall;
        }
        writer_.write({{Stream::err, program + ": " + opened.error + "\n"}});
        return kExitSystemCall;
      }
      if (opened.mark_error != 0) {
        writer_.write({{Stream::err, std::string(v6 ? "fwmark ipv6: " : "fwmark ipv4: ") +
                                         std::strerror(opened.mark_error) + "\n"}});
      }
      any = any || static_cast<bool>(opened);
    }
    // fping needs one socket, and an IPv6 one with -6.
    const bool v6_missing = options_.family == AddressFamily::ipv6 && !pinger_.mode(icmp::Family::v6);
    if (!any || v6_missing) {
      writer_.write({{Stream::err, explain_open_failure(attempts, program)}});
      return kExitSystemCall;
    }
    return std::nullopt;
  }

  int run(TargetList targets, std::int64_t start) {
    start_ = start;
    addresses_ = std::move(targets.addresses);
    book_.emplace(options_, std::move(targets.shown), targets.unknown_addresses);
    // One instant for the first probes and the -Q clock, so that a report due with a probe comes first.
    const std::int64_t loop_start = Engine::steady_now();
    schedule_.emplace(ScheduleSettings::from(options_), addresses_.size(), loop_start);
    // Taken only now, as fping: until the loop runs, SIGINT ends the process (a slow name lookup).
    signals_.emplace(io_, SIGINT, SIGQUIT);
    signals_->async_wait([this](const boost::system::error_code& ec, int signal) { on_signal(ec, signal); });
    reports_ = options_.report_interval_ns > 0 && (options_.loop || options_.count_mode);
    if (reports_) next_report_ = loop_start + options_.report_interval_ns;
    pump();
    if (!finished_) io_.run();
    if (writer_.error() != 0) return report_write_error(writer_.error(), kExitWriteError, BrokenPipe::quiet);
    return book_->exit_code();
  }

 private:
  PingerHandlers handlers() {
    PingerHandlers handlers;
    handlers.on_reply = [this](const Reply& reply) { on_reply(reply); };
    handlers.on_duplicate = [this](const Reply& reply) { on_reply(reply); };
    handlers.on_icmp_error = [this](const IcmpError& error) { on_icmp_error(error); };
    // Timeouts are the schedule's (fping's timeout queue, retries and backoff); the Pinger's own
    // come later and mean nothing here.
    return handlers;
  }

  void emit(const Emission& emission) {
    writer_.write(emission);
    if (writer_.error() != 0) stop();  // no reader: nothing more to do
  }

  // --- the main loop ---------------------------------------------------------------------------

  void pump() {
    pump_posted_ = false;
    if (finished_) return;
    if (finish_requested_) {
      finish();
      return;
    }
    // -Q's report comes first when it is due, as fping prints it right after its wait.
    if (reports_ && Engine::steady_now() >= next_report_) {
      emit(book_->interval_report(std::chrono::system_clock::now()));
      if (finished_) return;
      const std::int64_t now = Engine::steady_now();
      while (now >= next_report_) next_report_ += options_.report_interval_ns;
    }
    for (int steps = 0; steps < kStepsPerTurn; ++steps) {
      const Step step = schedule_->next(Engine::steady_now());
      switch (step.kind) {
        case Step::Kind::timeout:
          emit(book_->timeout(step.target, step.seq, std::chrono::system_clock::now()));
          if (step.retry && !finished_) send(step);
          break;
        case Step::Kind::send:
          send(step);
          // fping reads what came in after each send before the next (wait_for_reply(0)).
          if (!finished_) pinger_.receive_now();
          break;
        case Step::Kind::wait:
          arm_wake_timer(reports_ ? std::min(step.at, next_report_) : step.at);
          return;
        case Step::Kind::done:
          finish();
          return;
      }
      if (finished_) return;
      if (finish_requested_) {
        finish();
        return;
      }
    }
    post_pump();
  }

  void send(const Step& step) {
    const SocketAddress& to = addresses_[step.target];
    if (!pinger_.mode(to.family())) {
      schedule_->sent(step, Engine::steady_now(), SendOutcome::skipped);
      return;
    }
    const SendResult result = pinger_.send(to, token_of(step.target, step.seq));
    const std::int64_t now = Engine::steady_now();
    switch (result.status) {
      case SendStatus::busy:
        schedule_->sent(step, now, SendOutcome::busy, now + kBusyRetryNs);
        return;
      case SendStatus::failed:
        // fping takes EHOSTDOWN for a send that left: its timeout will settle it.
        if (result.error != EHOSTDOWN) {
          schedule_->sent(step, now, SendOutcome::failed);
          emit(book_->send_failed(step.target, step.seq, result.error));
          return;
        }
        break;
      case SendStatus::sent:
        break;
    }
    schedule_->sent(step, now, SendOutcome::left);
    emit(book_->sent(step.target, step.seq));
  }

  void arm_wake_timer(std::int64_t at) {
    wake_timer_.expires_at(Steady::time_point(std::chrono::nanoseconds(at)));
    wake_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump();
    });
  }

  void post_pump() {
    if (pump_posted_ || finished_) return;
    pump_posted_ = true;
    asio::post(io_, [this] { pump(); });
  }

  // --- what comes back -------------------------------------------------------------------------

  void on_reply(const Reply& reply) {
    if (finished_) return;
    const std::size_t target = target_of(reply.token);
    const std::uint32_t seq = seq_of(reply.token);
    if (target >= addresses_.size()) return;
    const std::int64_t rtt = static_cast<std::int64_t>(reply.rtt) * 1000;
    // fping forgets a probe after --seqmap-timeout: what answers it later is not ours any more.
    if (rtt > options_.seqmap_timeout_ns) return;
    const auto now = std::chrono::system_clock::now();
    // The schedule and the Book apply the same rules of fping's (duplicates, replies later than the
    // timeout); the schedule to cancel the probe's timeout, the Book to count and print. The Book
    // sees every reply: late ones count in -s's "Replies received".
    const ReplyVerdict verdict = schedule_->reply(target, seq, rtt, reply.duplicate);
    if (reply.duplicate) {
      emit(book_->duplicate(target, seq, rtt, reply.icmp_bytes, numeric(reply.from), now));
    } else {
      emit(book_->reply(target, seq, rtt, reply.icmp_bytes, numeric(reply.from), now, reply.ttl, reply.tos));
    }
    if (verdict == ReplyVerdict::counted && reached_enough(options_, book_->alive_targets())) {
      finish_requested_ = true;
    }
    // A reply may end the run (the last probe answered, -X) or free the schedule: look again.
    post_pump();
  }

  void on_icmp_error(const IcmpError& error) {
    if (finished_) return;
    const std::size_t target = target_of(error.token);
    if (target >= addresses_.size()) return;
    const IcmpErrorReport report{error.family == icmp::Family::v6, error.type, error.code, numeric(error.from)};
    emit(book_->icmp_error(target, seq_of(error.token), report));
  }

  void on_signal(const boost::system::error_code& ec, int signal) {
    if (ec || finished_) return;
    if (signal == SIGQUIT) {
      emit(book_->quit_report(std::chrono::system_clock::now()));
    } else {
      finish_requested_ = true;
      post_pump();
    }
    if (!finished_) {
      signals_->async_wait([this](const boost::system::error_code& next, int number) { on_signal(next, number); });
    }
  }

  void finish() {
    if (finished_) return;
    const std::int64_t elapsed = Engine::steady_now() - start_;
    writer_.write(book_->finish(elapsed));
    stop();
  }

  void stop() {
    finished_ = true;
    pinger_.stop();
    wake_timer_.cancel();
    boost::system::error_code ignored;
    if (signals_) signals_->cancel(ignored);
    io_.stop();
  }

  const FpingOptions& options_;
  EmissionWriter& writer_;
  asio::io_context io_;
  Pinger pinger_;
  asio::steady_timer wake_timer_;
  std::optional<asio::signal_set> signals_;
  std::optional<Book> book_;
  std::optional<Schedule> schedule_;
  std::vector<SocketAddress> addresses_;
  std::int64_t start_ = 0;
  bool reports_ = false;  // -Q in count or loop mode
  std::int64_t next_report_ = 0;
  bool pump_posted_ = false;
  bool finish_requested_ = false;
  bool finished_ = false;
};

Engine::Engine(const FpingOptions& options, EmissionWriter& writer) : loop_(std::make_unique<Loop>(options, writer)) {}
Engine::~Engine() = default;

std::optional<int> Engine::open_sockets() { return loop_->open_sockets(); }
int Engine::run(TargetList targets, std::int64_t start) { return loop_->run(std::move(targets), start); }

}  // namespace uping::fping
