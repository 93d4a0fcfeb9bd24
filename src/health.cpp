#include "uping/health.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "uping/diagnose.hpp"
#include "uping/log.hpp"
#include "uping/privileges.hpp"
#include "uping/prober.hpp"
#include "uping/report.hpp"
#include "uping/resolve.hpp"
#include "uping/stdout_writer.hpp"

namespace uping::health {
namespace {

namespace asio = boost::asio;

// Probes sent before the loop gets to read replies again.
constexpr std::size_t kSendBurst = 64;

std::string milliseconds(Micros us) { return fmt::format("{:.3f} ms", static_cast<double>(us) / 1000.0); }

std::string deadline_text(std::chrono::microseconds deadline) {
  return fmt::format("{:g} ms", static_cast<double>(deadline.count()) / 1000.0);
}

// getaddrinfo() blocks and cannot be cancelled: a resolver that never answers (a container whose
// resolv.conf names an unreachable server waits 5 s per attempt) would hold the check past its
// deadline until the runtime kills it, which Docker logs as -1 and Kubernetes as a timeout. While
// names are resolved a one-shot SIGALRM stands guard at the deadline: it writes lines prepared
// beforehand and ends the process with exit 1. Only async-signal-safe calls in the handler.
class ResolutionGuard {
 public:
  ResolutionGuard(std::chrono::steady_clock::time_point deadline, std::string text) : text_(std::move(text)) {
    guard_text = text_.data();
    guard_size = text_.size();
    struct sigaction action {};
    action.sa_handler = &ResolutionGuard::on_alarm;
    sigemptyset(&action.sa_mask);
    armed_ = sigaction(SIGALRM, &action, &previous_) == 0;
    if (!armed_) return;
    const auto remaining = std::max(std::chrono::duration_cast<std::chrono::microseconds>(
                                        deadline - std::chrono::steady_clock::now()),
                                    std::chrono::microseconds(1));
    itimerval timer{};
    timer.it_value.tv_sec = static_cast<time_t>(remaining.count() / 1'000'000);
    timer.it_value.tv_usec = static_cast<suseconds_t>(remaining.count() % 1'000'000);
    setitimer(ITIMER_REAL, &timer, nullptr);
  }
  ~ResolutionGuard() {
    if (!armed_) return;
    const itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
    sigaction(SIGALRM, &previous_, nullptr);
    guard_text = nullptr;
    guard_size = 0;
  }
  ResolutionGuard(const ResolutionGuard&) = delete;
  ResolutionGuard& operator=(const ResolutionGuard&) = delete;

 private:
  static void on_alarm(int /*signal*/) {
    const char* text = guard_text;
    std::size_t size = guard_size;
    while (text != nullptr && size > 0) {
      const ssize_t written = ::write(STDOUT_FILENO, text, size);
      if (written <= 0) break;
      text += written;
      size -= static_cast<std::size_t>(written);
    }
    ::_exit(kUnhealthy);
  }

  static inline const char* volatile guard_text = nullptr;
  static inline volatile std::size_t guard_size = 0;
  std::string text_;
  struct sigaction previous_ {};
  bool armed_ = false;
};

// What the guard prints: every target unhealthy, since no probe has gone out yet.
std::string unresolved_report(const std::vector<std::string>& names, const HealthOptions& options) {
  std::vector<TargetOutcome> outcomes(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    outcomes[i].name = names[i];
    outcomes[i].failure = "name resolution not finished in " + deadline_text(options.deadline);
  }
  return verdict_report(outcomes, options);
}

// "x.invalid: Name or service not known" → "Name or service not known": the line names the target.
std::string resolve_failure_text(const std::string& target, const std::string& message) {
  const std::string prefix = printable(target) + ": ";
  if (message.starts_with(prefix)) return message.substr(prefix.size());
  return message;
}

// One check: targets, their outcomes, the prober and the two timers.
class Check {
 public:
  explicit Check(const HealthOptions& options)
      : options_(options), deadline_timer_(io_), round_timer_(io_),
        prober_(io_, prober_settings(options), events()) {}

  int run(std::chrono::steady_clock::time_point started) {
    const auto deadline = started + options_.deadline;
    outcomes_.resize(options_.targets.size());
    addresses_.resize(options_.targets.size());
    std::vector<std::string> names;
    for (std::size_t i = 0; i < options_.targets.size(); ++i) {
      outcomes_[i].name = display_name(options_.targets[i]);
      names.push_back(outcomes_[i].name);
    }
    // Sockets first and privileges dropped before any name is resolved, as for a ping.
    std::vector<SocketAttempt> attempts;
    const bool v4 = options_.family != icmp::Family::v6 && prober_.open(icmp::Family::v4, attempts);
    const bool v6 = options_.family != icmp::Family::v4 && prober_.open(icmp::Family::v6, attempts);
    if (const auto failure = privileges::drop_all()) {
      log::error("--health: cannot drop privileges: " + *failure);
      return kUnhealthy;
    }
    {
      const ResolutionGuard guard(deadline, options_.quiet ? std::string() : unresolved_report(names, options_));
      resolve_all(v4, v6, attempts);
    }

    // The deadline counts from the start of the check, name resolution included.
    deadline_timer_.expires_at(deadline);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) finish(true);
    });
    send_round();
    if (!finished_) io_.run();
    return report();
  }

 private:
  void resolve_all(bool v4, bool v6, const std::vector<SocketAttempt>& attempts) {
    for (std::size_t i = 0; i < options_.targets.size(); ++i) {
      const auto resolved = resolve_target(options_.targets[i], options_.family);
      if (const auto* failure = std::get_if<ResolveError>(&resolved)) {
        outcomes_[i].failure = "cannot resolve (" + resolve_failure_text(options_.targets[i], failure->message) + ")";
        continue;
      }
      const auto& target = std::get<Target>(resolved);
      const icmp::Family family = target.address.family();
      if ((family == icmp::Family::v4 && !v4) || (family == icmp::Family::v6 && !v6)) {
        outcomes_[i].failure = brief_socket_failure(attempts, family);
        continue;
      }
      addresses_[i] = target.address;
    }
  }

  static ProberSettings prober_settings(const HealthOptions& options) {
    ProberSettings settings;
    settings.payload_size = options.payload_size;
    settings.ttl = options.ttl;
    settings.timeout = options.deadline;  // a reply counts until the verdict is due
    settings.max_sockets_per_family = 1;
    return settings;
  }

  ProberEvents events() {
    ProberEvents handlers;
    handlers.on_reply = [this](const ProbeReply& reply) { on_reply(reply); };
    handlers.on_error = [this](const ProbeError& error) { on_error(error); };
    return handlers;
  }

  // A round probes every target still pending, kSendBurst at a time: between bursts the loop reads
  // the replies, so that a thousand loopback answers do not overflow the socket's receive buffer
  // (208 KB for an unprivileged process) and get dropped.
  void send_round() {
    if (finished_) return;
    round_started_ = std::chrono::steady_clock::now();
    next_target_ = 0;
    send_burst();
  }

  void send_burst() {
    std::size_t sent = 0;
    for (; next_target_ < outcomes_.size() && sent < kSendBurst && !finished_; ++next_target_) {
      const std::size_t i = next_target_;
      if (!addresses_[i] || judge(outcomes_[i], options_, false) != Verdict::pending) continue;
      ++sent;
      // A probe refused for back-pressure waits for the next round.
      if (prober_.send(*addresses_[i], i) && prober_.last_send_error() != 0 && !outcomes_[i].unreachable) {
        // The kernel refused the probe outright (no route: ENETUNREACH): waiting cannot help.
        outcomes_[i].failure = std::string("cannot send (") + std::strerror(prober_.last_send_error()) + ")";
      }
    }
    finish_if_decided();
    if (finished_) return;
    if (next_target_ < outcomes_.size()) {
      asio::post(io_, [this] {
        if (!finished_) send_burst();
      });
      return;
    }
    round_timer_.expires_at(round_started_ + options_.interval);
    round_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) send_round();
    });
  }

  void on_reply(const ProbeReply& reply) {
    if (reply.duplicate || reply.token >= outcomes_.size()) return;
    auto& outcome = outcomes_[reply.token];
    if (options_.max_rtt && reply.rtt > *options_.max_rtt) {
      ++outcome.slow_replies;
      outcome.slowest = std::max(outcome.slowest, reply.rtt);
    } else {
      ++outcome.replies;
      outcome.rtt_sum += reply.rtt;
    }
    finish_if_decided();
  }

  void on_error(const ProbeError& error) {
    if (error.token >= outcomes_.size()) return;
    auto& outcome = outcomes_[error.token];
    if (outcome.unreachable) return;
    // Always numeric: a reverse lookup can wait seconds on a resolver and blow the deadline.
    PeerNamer namer(false);
    outcome.unreachable = report::describe_icmp_error(error.family, error.type, error.code, error.info) +
                          " from " + namer.name(error.from);
    finish_if_decided();
  }

  void finish_if_decided() {
    for (const auto& outcome : outcomes_) {
      if (judge(outcome, options_, false) == Verdict::pending) return;
    }
    finish(false);
  }

  void finish(bool deadline_passed) {
    if (finished_) return;
    finished_ = true;
    deadline_passed_ = deadline_passed;
    deadline_timer_.cancel();
    round_timer_.cancel();
    prober_.stop();
    io_.stop();
  }

  int report() {
    const bool all_healthy = std::all_of(outcomes_.begin(), outcomes_.end(), [this](const TargetOutcome& outcome) {
      return judge(outcome, options_, true) == Verdict::healthy;
    });
    if (!options_.quiet) {
      // A report that cannot be written is a failed check, even a broken pipe: health mode's exit
      // code stays 0 or 1, never a signal.
      if (const int error = write_stdout(verdict_report(outcomes_, options_))) {
        return report_write_error(error, kUnhealthy, BrokenPipe::reported, "--health: ");
      }
    }
    return all_healthy ? kHealthy : kUnhealthy;
  }

  const HealthOptions& options_;
  asio::io_context io_{1};
  asio::steady_timer deadline_timer_;
  asio::steady_timer round_timer_;
  Prober prober_;
  std::vector<TargetOutcome> outcomes_;
  std::vector<std::optional<SocketAddress>> addresses_;
  std::chrono::steady_clock::time_point round_started_;
  std::size_t next_target_ = 0;
  bool finished_ = false;
  bool deadline_passed_ = false;
};

}  // namespace

Verdict judge(const TargetOutcome& outcome, const HealthOptions& options, bool deadline_passed) {
  if (outcome.failure || outcome.unreachable) return Verdict::unhealthy;
  if (outcome.replies >= options.min_replies) return Verdict::healthy;
  return deadline_passed ? Verdict::unhealthy : Verdict::pending;
}

std::string verdict_line(const TargetOutcome& outcome, const HealthOptions& options) {
  const std::string& name = outcome.name;
  switch (judge(outcome, options, true)) {
    case Verdict::healthy: {
      const Micros average = outcome.rtt_sum / static_cast<Micros>(std::max<std::uint32_t>(outcome.replies, 1));
      if (options.min_replies > 1)
        return fmt::format("{}: healthy, {} replies, rtt {}\n", name, outcome.replies, milliseconds(average));
      return fmt::format("{}: healthy, rtt {}\n", name, milliseconds(average));
    }
    case Verdict::pending:
    case Verdict::unhealthy:
      break;
  }
  if (outcome.failure) return fmt::format("{}: unhealthy, {}\n", name, *outcome.failure);
  if (outcome.unreachable) return fmt::format("{}: unhealthy, unreachable ({})\n", name, *outcome.unreachable);
  if (outcome.slow_replies > 0 && outcome.replies < options.min_replies && options.max_rtt) {
    return fmt::format("{}: unhealthy, rtt {} over --max-rtt {}\n", name, milliseconds(outcome.slowest),
                       milliseconds(*options.max_rtt));
  }
  if (outcome.replies > 0) {
    return fmt::format("{}: unhealthy, {} of {} replies in {}\n", name, outcome.replies, options.min_replies,
                       deadline_text(options.deadline));
  }
  return fmt::format("{}: unhealthy, no reply in {}\n", name, deadline_text(options.deadline));
}

std::string display_name(std::string_view target) {
  if (target.size() <= kMaxNameLength) return printable(target);
  return printable(target.substr(0, kMaxNameLength - 3)) + "...";
}

std::string verdict_report(const std::vector<TargetOutcome>& outcomes, const HealthOptions& options) {
  std::string all;
  for (const auto& outcome : outcomes) all += verdict_line(outcome, options);
  if (all.size() <= kOutputBudget) return all;

  // Too many targets for the log: the unhealthy ones matter, and the count of the rest.
  // Room is kept for the closing line (at most about 80 bytes).
  constexpr std::size_t kClosingRoom = 96;
  std::string text;
  std::size_t healthy = 0;
  std::size_t unhealthy = 0;
  for (const auto& outcome : outcomes) {
    const bool ok = judge(outcome, options, true) == Verdict::healthy;
    if (!ok) {
      const std::string line = verdict_line(outcome, options);
      if (text.size() + line.size() + kClosingRoom <= kOutputBudget) {
        text += line;
        continue;
      }
    }
    ++(ok ? healthy : unhealthy);
  }
  text += fmt::format("... {} targets not listed: {} healthy, {} unhealthy\n", healthy + unhealthy, healthy, unhealthy);
  return text;
}

int run(const HealthOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  log::set_program_name(options.program_name);
  try {
    Check check(options);
    return check.run(started);
  } catch (const std::exception& error) {
    // Never exit 2 in health mode, whatever went wrong.
    log::error(std::string("--health: ") + error.what());
  } catch (...) {
    log::error("--health: unexpected failure");
  }
  return kUnhealthy;
}

}  // namespace uping::health
