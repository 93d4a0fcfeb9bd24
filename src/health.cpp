#include "uping/health.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "uping/diagnose.hpp"
#include "uping/log.hpp"
#include "uping/privileges.hpp"
#include "uping/prober.hpp"
#include "uping/report.hpp"
#include "uping/resolve.hpp"

namespace uping::health {
namespace {

namespace asio = boost::asio;

std::string milliseconds(Micros us) { return fmt::format("{:.3f} ms", static_cast<double>(us) / 1000.0); }

std::string deadline_text(std::chrono::microseconds deadline) {
  return fmt::format("{:g} ms", static_cast<double>(deadline.count()) / 1000.0);
}

// Why a family has no socket, in a few words; `uping --diagnose` has the long story.
std::string socket_failure_text(const std::vector<SocketAttempt>& attempts, icmp::Family family) {
  std::string reasons;
  for (const auto& attempt : attempts) {
    if (attempt.family != family || attempt.error == 0) continue;
    if (!reasons.empty()) reasons += ", ";
    reasons += fmt::format("{} {}", socket_mode_name(attempt.mode), std::strerror(attempt.error));
  }
  return "no ICMP socket (" + reasons + "); run uping --diagnose";
}

// One check: targets, their outcomes, the prober and the two timers.
class Check {
 public:
  explicit Check(const HealthOptions& options)
      : options_(options), deadline_timer_(io_), round_timer_(io_),
        prober_(io_, prober_settings(options), events()) {}

  int run() {
    outcomes_.resize(options_.targets.size());
    addresses_.resize(options_.targets.size());
    for (std::size_t i = 0; i < options_.targets.size(); ++i) {
      outcomes_[i].name = printable(options_.targets[i]);
    }
    // Sockets first and privileges dropped before any name is resolved, as for a ping.
    std::vector<SocketAttempt> attempts;
    const bool v4 = options_.family != icmp::Family::v6 && prober_.open(icmp::Family::v4, attempts);
    const bool v6 = options_.family != icmp::Family::v4 && prober_.open(icmp::Family::v6, attempts);
    if (!privileges::drop_all()) {
      log::error(std::string("--health: cannot drop capabilities: ") + std::strerror(errno));
      return kUnhealthy;
    }
    for (std::size_t i = 0; i < options_.targets.size(); ++i) {
      const auto resolved = resolve_target(options_.targets[i], options_.family);
      if (const auto* failure = std::get_if<ResolveError>(&resolved)) {
        outcomes_[i].failure = "cannot resolve: " + failure->message;
        continue;
      }
      const auto& target = std::get<Target>(resolved);
      const icmp::Family family = target.address.family();
      if ((family == icmp::Family::v4 && !v4) || (family == icmp::Family::v6 && !v6)) {
        outcomes_[i].failure = socket_failure_text(attempts, family);
        continue;
      }
      addresses_[i] = target.address;
    }

    deadline_timer_.expires_after(options_.deadline);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) finish(true);
    });
    send_round();
    if (!finished_) io_.run();
    return report();
  }

 private:
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

  void send_round() {
    if (finished_) return;
    for (std::size_t i = 0; i < outcomes_.size(); ++i) {
      if (addresses_[i] && judge(outcomes_[i], options_, false) == Verdict::pending) {
        prober_.send(*addresses_[i], i);  // a probe refused for back-pressure waits for the next round
      }
    }
    finish_if_decided();
    if (finished_) return;
    round_timer_.expires_after(options_.interval);
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
    PeerNamer namer(!options_.numeric);
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
    bool all_healthy = true;
    std::string text;
    for (const auto& outcome : outcomes_) {
      all_healthy = all_healthy && judge(outcome, options_, true) == Verdict::healthy;
      text += verdict_line(outcome, options_);
    }
    if (!options_.quiet) std::fwrite(text.data(), 1, text.size(), stdout);
    return all_healthy ? kHealthy : kUnhealthy;
  }

  const HealthOptions& options_;
  asio::io_context io_{1};
  asio::steady_timer deadline_timer_;
  asio::steady_timer round_timer_;
  Prober prober_;
  std::vector<TargetOutcome> outcomes_;
  std::vector<std::optional<SocketAddress>> addresses_;
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

int run(const HealthOptions& options) {
  log::set_program_name(options.program_name);
  try {
    Check check(options);
    return check.run();
  } catch (const std::exception& error) {
    // Never exit 2 in health mode, whatever went wrong.
    log::error(std::string("--health: ") + error.what());
    return kUnhealthy;
  }
}

}  // namespace uping::health
