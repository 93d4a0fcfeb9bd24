#include <algorithm>
#include <chrono>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pinger/deadlines.hpp"
#include "system/diagnose.hpp"
#include "system/resolve.hpp"
#include "uping/ping.hpp"

namespace uping {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// One blocking ping: a Pinger on a private io_context, a pacing timer and the deadline.
class BlockingPing {
 public:
  BlockingPing(const SocketAddress& target, const PingOptions& options, Clock::time_point started)
      : options_(options),
        target_(target),
        started_(started),
        deadline_(pinger::deadline_after(started.time_since_epoch(), options.deadline)),
        pace_timer_(io_),
        deadline_timer_(io_),
        pinger_(io_, settings(options), handlers()) {
    result_.target = target;
  }

  PingResult run() {
    const icmp::Family family = target_.family();
    OpenResult opened = pinger_.open(family);
    result_.attempts = std::move(opened.attempts);
    result_.mode = opened.mode;
    if (!opened) {
      result_.error = brief_socket_failure(result_.attempts, family);
      return finish_result();
    }
    deadline_timer_.expires_at(deadline_);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) finish();
    });
    send_next();
    if (!finished_) io_.run();
    result_.timeouts = static_cast<std::uint32_t>(pinger_.in_flight());
    return finish_result();
  }

 private:
  static Clock::duration to_clock(std::chrono::nanoseconds span) {
    return std::chrono::duration_cast<Clock::duration>(span);
  }

  static PingerSettings settings(const PingOptions& options) {
    PingerSettings settings;
    settings.payload_size = options.payload_size;
    settings.ttl = options.ttl;
    settings.max_sockets_per_family = 1;
    return settings;
  }

  PingerHandlers handlers() {
    PingerHandlers handlers;
    handlers.on_reply = [this](const Reply& reply) {
      result_.replies.push_back(reply);
      if (reply.after_error) ++replies_after_error_;  // that probe was counted settled already
      settled();
    };
    handlers.on_duplicate = [this](const Reply&) { ++result_.duplicates; };
    handlers.on_icmp_error = [this](const IcmpError& error) {
      result_.icmp_errors.push_back(error);
      settled();
    };
    handlers.on_send_failure = [this](const SendFailure& failure) {
      result_.send_failures.push_back(failure);
      settled();
    };
    // No on_timeout: every probe's timeout is the deadline, which ends the call first.
    return handlers;
  }

  // Sends the next probe, timed out at the deadline, and schedules the one after it.
  void send_next() {
    if (finished_) return;
    const auto now = Clock::now();
    const auto left = std::max(deadline_ - now, Clock::duration::zero());
    const SendResult sent = pinger_.send(target_, probes_, left);
    if (sent.status == SendStatus::busy) {
      // The socket's buffer is full: try again shortly (within the interval).
      arm_pace(now + std::min(to_clock(options_.interval), to_clock(std::chrono::milliseconds(10))));
      return;
    }
    ++probes_;
    if (sent.status == SendStatus::sent) ++result_.sent;
    if (probes_ < options_.count) arm_pace(now + to_clock(options_.interval));
  }

  void arm_pace(Clock::time_point at) {
    pace_timer_.expires_at(at);
    pace_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) send_next();
    });
  }

  void settled() {
    if (result_.replies.size() >= options_.replies_wanted) {
      result_.reached = true;
      finish();
      return;
    }
    const std::size_t done = result_.replies.size() + result_.icmp_errors.size() + result_.send_failures.size() -
                             replies_after_error_;
    if (probes_ >= options_.count && done >= probes_) finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    pace_timer_.cancel();
    deadline_timer_.cancel();
    pinger_.stop();
    io_.stop();
  }

  PingResult finish_result() {
    result_.elapsed = Clock::now() - started_;
    return std::move(result_);
  }

  const PingOptions& options_;
  const SocketAddress target_;
  const Clock::time_point started_;
  const Clock::time_point deadline_;
  asio::io_context io_{1};
  asio::steady_timer pace_timer_;
  asio::steady_timer deadline_timer_;
  Pinger pinger_;
  PingResult result_;
  std::uint32_t probes_ = 0;  // sent or refused
  std::size_t replies_after_error_ = 0;
  bool finished_ = false;
};

}  // namespace

PingResult ping(const SocketAddress& target, const PingOptions& options) {
  const auto started = Clock::now();
  if (options.count == 0 || options.replies_wanted == 0) {
    PingResult nothing;
    nothing.target = target;
    nothing.reached = options.replies_wanted == 0;
    return nothing;
  }
  BlockingPing ping(target, options, started);
  return ping.run();
}

PingResult ping(const std::string& host, const PingOptions& options) {
  auto answer = resolve_target(host, options.family);
  if (const auto* failure = std::get_if<ResolveError>(&answer)) {
    PingResult result;
    result.error = "cannot resolve (" + failure->reason + ")";
    return result;
  }
  return ping(std::get<Target>(answer).address, options);
}

std::string explain_open_failure(const std::vector<SocketAttempt>& attempts, std::string_view program) {
  return explain_socket_failure(program, gather_permission_facts(attempts));
}

std::optional<SocketAddress> parse_address(const std::string& text) {
  auto answer = resolve_numeric(text, std::nullopt);
  if (!answer) return std::nullopt;
  if (const auto* target = std::get_if<Target>(&*answer)) return target->address;
  return std::nullopt;
}

std::string to_string(const SocketAddress& address) { return numeric_host(address); }

}  // namespace uping
