#include "multi/health.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "cli/log.hpp"
#include "cli/report.hpp"
#include "cli/stdout_writer.hpp"
#include "system/diagnose.hpp"
#include "system/privileges.hpp"
#include "system/resolve.hpp"
#include "system/resolver_pool.hpp"
#include "uping/pinger.hpp"

namespace uping::health {
namespace {

namespace asio = boost::asio;

// Probes sent before the loop gets to read replies again.
constexpr std::size_t kSendBurst = 64;

std::string milliseconds(Micros us) { return fmt::format("{:.3f} ms", static_cast<double>(us) / 1000.0); }

std::string deadline_text(std::chrono::microseconds deadline) {
  return fmt::format("{:g} ms", static_cast<double>(deadline.count()) / 1000.0);
}

// One check: targets, their outcomes, the Pinger and the two timers.
class Check {
 public:
  explicit Check(const HealthOptions& options)
      : options_(options),
        deadline_timer_(io_),
        round_timer_(io_),
        pinger_(io_, pinger_settings(options), handlers()) {}

  int run(std::chrono::steady_clock::time_point started) {
    const auto deadline = started + options_.deadline;
    outcomes_.resize(options_.targets.size());
    addresses_.resize(options_.targets.size());
    resolving_.assign(options_.targets.size(), false);
    for (std::size_t i = 0; i < options_.targets.size(); ++i) outcomes_[i].name = display_name(options_.targets[i]);
    // Sockets first and privileges dropped before any name is resolved (and any thread started).
    const bool v4 = options_.family != icmp::Family::v6 && open(icmp::Family::v4);
    const bool v6 = options_.family != icmp::Family::v4 && open(icmp::Family::v6);
    has_socket_ = {v4, v6};
    if (const auto failure = privileges::drop_all()) {
      log::error("--health: cannot drop privileges: " + *failure);
      return kUnhealthy;
    }
    load_user_charset_if_needed(options_.targets, false);
    // The deadline counts from the start of the check, name resolution included: names resolve
    // on the pool's threads while addresses are probed, and one the deadline cuts short is judged
    // as such, alone.
    deadline_timer_.expires_at(deadline);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) finish(true);
    });
    resolve_all();
    send_round();
    if (!finished_) io_.run();
    return report();
  }

 private:
  void resolve_all() {
    for (std::size_t i = 0; i < options_.targets.size(); ++i) {
      if (auto numeric = resolve_numeric(options_.targets[i], options_.family)) {
        resolved(i, std::move(*numeric));
        continue;
      }
      resolving_[i] = true;
      resolver_.resolve(options_.targets[i], options_.family, [this, i](Resolution answer) {
        resolving_[i] = false;
        if (finished_) return;
        resolved(i, std::move(answer));
        if (addresses_[i]) send_to(i);
        finish_if_decided();
      });
    }
  }

  void resolved(std::size_t i, const Resolution& answer) {
    if (const auto* failure = std::get_if<ResolveError>(&answer)) {
      outcomes_[i].failure = "cannot resolve (" + failure->reason + ")";
      return;
    }
    const auto& target = std::get<Target>(answer);
    const icmp::Family family = target.address.family();
    if (!has_socket_[family == icmp::Family::v4 ? 0 : 1]) {
      outcomes_[i].failure = brief_socket_failure(attempts_, family);
      return;
    }
    addresses_[i] = target.address;
  }

  bool open(icmp::Family family) {
    auto opened = pinger_.open(family);
    attempts_.insert(attempts_.end(), opened.attempts.begin(), opened.attempts.end());
    return static_cast<bool>(opened);
  }

  static PingerSettings pinger_settings(const HealthOptions& options) {
    PingerSettings settings;
    settings.payload_size = options.payload_size;
    settings.ttl = options.ttl;
    settings.timeout = options.deadline;  // a reply counts until the verdict is due
    settings.max_sockets_per_family = 1;
    return settings;
  }

  PingerHandlers handlers() {
    PingerHandlers handlers;
    // Duplicates change no verdict.
    handlers.on_reply = [this](const Reply& reply) { on_reply(reply); };
    handlers.on_icmp_error = [this](const IcmpError& error) { on_error(error); };
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
      send_to(i);
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

  // A probe refused for back-pressure waits for the next round; one the kernel refuses outright
  // (no route: ENETUNREACH) decides the verdict: waiting cannot help.
  void send_to(std::size_t i) {
    const SendResult sent = pinger_.send(*addresses_[i], i);
    if (sent.status == SendStatus::failed && !outcomes_[i].unreachable) {
      outcomes_[i].failure = std::string("cannot send (") + std::strerror(sent.error) + ")";
    }
  }

  void on_reply(const Reply& reply) {
    if (reply.token >= outcomes_.size()) return;
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

  void on_error(const IcmpError& error) {
    if (error.token >= outcomes_.size()) return;
    auto& outcome = outcomes_[error.token];
    if (outcome.unreachable) return;
    // Always numeric: a reverse lookup can wait seconds on a resolver and blow the deadline.
    PeerNamer namer(false);
    outcome.unreachable = report::describe_icmp_error(error.family, error.type, error.code, error.info) + " from " +
                          namer.name(error.from);
    finish_if_decided();
  }

  void finish_if_decided() {
    for (std::size_t i = 0; i < outcomes_.size(); ++i) {
      if (resolving_[i] || judge(outcomes_[i], options_, false) == Verdict::pending) return;
    }
    finish(false);
  }

  void finish(bool deadline_passed) {
    if (finished_) return;
    finished_ = true;
    for (std::size_t i = 0; i < outcomes_.size() && deadline_passed; ++i) {
      if (resolving_[i]) outcomes_[i].failure = "name resolution not finished in " + deadline_text(options_.deadline);
    }
    deadline_timer_.cancel();
    round_timer_.cancel();
    pinger_.stop();
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
  Pinger pinger_;
  ResolverPool resolver_{io_};  // after io_: closed before the loop goes away
  std::vector<SocketAttempt> attempts_;
  std::array<bool, 2> has_socket_{false, false};
  std::vector<TargetOutcome> outcomes_;
  std::vector<std::optional<SocketAddress>> addresses_;
  std::vector<bool> resolving_;
  std::chrono::steady_clock::time_point round_started_;
  std::size_t next_target_ = 0;
  bool finished_ = false;
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
