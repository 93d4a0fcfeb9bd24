#include "monitor/monitor.hpp"

#include <csignal>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cli/invocation.hpp"
#include "cli/log.hpp"
#include "monitor/event_output.hpp"
#include "monitor/events.hpp"
#include "monitor/exposition.hpp"
#include "monitor/gzip.hpp"
#include "monitor/http_server.hpp"
#include "monitor/probe_runner.hpp"
#include "monitor/process_stats.hpp"
#include "monitor/render.hpp"
#include "monitor/resolution.hpp"
#include "monitor/schedule.hpp"
#include "monitor/settle.hpp"
#include "monitor/startup.hpp"
#include "monitor/target_set.hpp"
#include "monitor/textfile.hpp"
#include "monitor/watch_file.hpp"
#include "system/privileges.hpp"
#include "system/resolve.hpp"
#include "system/resolver_pool.hpp"
#include "uping/pinger.hpp"
#include "uping/version.hpp"

namespace uping::monitor {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Sends before the event loop gets a turn (HTTP, signals), and between two receive passes.
constexpr std::size_t kSendBatch = 256;
constexpr std::size_t kSendsPerReceive = 64;
constexpr auto kBusyRetry = std::chrono::milliseconds(1);
constexpr SteadyTime kWakeGrid = std::chrono::milliseconds(2);
constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

std::uint32_t id_of(ProbeToken token) { return static_cast<std::uint32_t>(token >> 32U); }

class Monitor {
 public:
  explicit Monitor(const MonitorOptions& options)
      : options_(options),
        format_(options.json ? EventFormat::json : EventFormat::text),
        pinger_(io_, pinger_settings(options), handlers()),
        resolver_(io_),
        probes_(io_, pinger_, resolver_, options),
        targets_(options.down_after, options.up_after),
        schedule_(std::chrono::duration_cast<SteadyTime>(options.interval), steady_now(), 0),
        send_timer_(io_),
        textfile_timer_(io_),
        summary_timer_(io_),
        // Taken from the start: a SIGTERM during the first lookups still ends the run cleanly.
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        out_(io_, format_, [this] { stop(kExitError); }),
        resolutions_(io_, targets_, resolver_, options, out_) {}

  int run() {
    if (const auto failed = open_sockets(pinger_, options_)) return *failed;
    if (options_.listen) {
      http_.emplace(io_, http_limits(),
                    [this](const HttpRequest& request, Responder respond) { serve(request, std::move(respond)); });
      if (const auto failure = http_->listen(options_.listen->address, options_.listen->port)) {
        say(*failure);
        return kExitError;
      }
      say("listening on " + listen_text(options_.listen->address, http_->port()));
    }
    // Nothing the caller named is read, resolved or accepted with a privilege.
    if (const auto failure = privileges::drop_all()) {
      say("cannot drop privileges: " + *failure);
      return kExitError;
    }
    load_user_charset_if_needed(options_.targets, options_.file.has_value());
    if (const auto failed = take_targets(targets_, options_)) return *failed;
    reload_success_seconds_ = std::chrono::duration<double>(wall_now()).count();
    wait_for_signal();
    const SteadyTime start = steady_now();
    resolutions_.set_family(lookup_family());
    for (std::size_t index = 0; index < targets_.size(); ++index) resolutions_.resolve(index);
    schedule_.restart(start, targets_.size());
    resolutions_.arm();
    if (options_.textfile) write_textfile_and_rearm();
    if (options_.summary_every.count() > 0) arm_summary_timer();
    if (http_) http_->start();
    pump();
    if (!stopped_) io_.run();
    // The last events (outages ended at exit) may be the ones that could not be written.
    return out_.error() != 0 ? kExitError : exit_code_;
  }

 private:
  // --- start-up --------------------------------------------------------------------------------

  HttpLimits http_limits() const {
    HttpLimits limits;
    limits.max_connections = options_.max_connections;
    return limits;
  }

  PingerHandlers handlers() {
    PingerHandlers handlers;
    handlers.on_reply = [this](const Reply& reply) { on_reply(reply); };
    handlers.on_duplicate = [this](const Reply& reply) { on_duplicate(reply); };
    handlers.on_timeout = [this](const Timeout& timeout) { on_timeout(timeout); };
    handlers.on_icmp_error = [this](const IcmpError& error) { on_icmp_error(error); };
    handlers.on_send_failure = [this](const SendFailure& failure) { on_send_failure(failure); };
    return handlers;
  }

  // --- sending ---------------------------------------------------------------------------------

  // Sends what the schedule says is due (a batch at a time), then sleeps until the next send.
  void pump() {
    pump_posted_ = false;
    if (stopped_) return;
    retry_busy();
    if (due_first_ == due_last_) {
      const SendSchedule::Due due = schedule_.due(steady_now());
      due_first_ = due.first;
      due_last_ = due.last;
    }
    std::size_t sent = 0;
    while (due_first_ < due_last_ && sent < kSendBatch && !stopped_) {
      send_to(schedule_.target_of(due_first_++));
      if (++sent % kSendsPerReceive == 0) pinger_.receive_now();
    }
    if (stopped_) return;
    // Replies of a small batch come through the event loop: a receive pass after each wake-up
    // would cost a syscall per wake-up for nothing.
    out_.request_flush();
    if (due_first_ < due_last_) {
      post_pump();
      return;
    }
    SteadyTime next = schedule_.next_time();
    if (next == kNever) return;  // no targets: a reload may bring some
    // Sends due within one grid step go together: 10,000 targets a second cost 500 wake-ups, not
    // 10,000, and they are still spread evenly at any scale a scrape can tell.
    next = (next + kWakeGrid - SteadyTime(1)) / kWakeGrid * kWakeGrid;
    if (!busy_.empty()) next = std::min(next, steady_now() + SteadyTime(kBusyRetry));
    send_timer_.expires_at(Clock::time_point(std::chrono::duration_cast<Clock::duration>(next)));
    send_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump();
    });
  }

  void post_pump() {
    if (pump_posted_) return;
    pump_posted_ = true;
    asio::post(io_, [this] { pump(); });
  }

  // After a reload the numbering restarts: what was due before is dropped, not sent twice.
  void restart_schedule() {
    due_first_ = due_last_ = 0;
    schedule_.restart(steady_now(), targets_.size());
    send_timer_.cancel();
    post_pump();
  }

  void send_to(std::size_t index) {
    if (index >= targets_.size()) return;
    WatchedTarget& target = targets_[index];
    if (!target.address) return;  // never resolved: nothing to probe yet
    const ProbeToken token = (ProbeToken{target.id} << 32U) | target.next_seq;
    const SendResult result = pinger_.send(*target.address, token);
    if (result.status == SendStatus::busy) {
      // Not counted: tried again at the next wake-up.
      if (busy_.size() < targets_.size()) busy_.push_back(target.serial);
      return;
    }
    // A failure too: on_send_failure settles it, in its place among the target's probes.
    target.metrics->sent(target.next_seq, wall_now());
    ++target.next_seq;
  }

  void retry_busy() {
    for (std::size_t pending = busy_.size(); pending > 0 && !stopped_; --pending) {
      const std::uint64_t serial = busy_.front();
      busy_.pop_front();
      if (const auto index = targets_.index_of_serial(serial)) send_to(*index);
    }
  }

  // --- settling --------------------------------------------------------------------------------

  WatchedTarget* watched(ProbeToken token) {
    WatchedTarget* target = targets_.find_by_id(id_of(token));
    return target != nullptr && target->metrics ? target : nullptr;
  }

  SettleContext settle_context() { return {out_.buffer(), format_, options_.verbose, wall_now(), outage_events_}; }

  void on_reply(const Reply& reply) {
    if (ProbeRunner::owns(reply.token)) return probes_.on_reply(reply);
    if (WatchedTarget* target = watched(reply.token)) settle_reply(*target, reply, settle_context());
    out_.request_flush();
  }

  void on_duplicate(const Reply& reply) {
    if (ProbeRunner::owns(reply.token)) return probes_.on_duplicate(reply);
    if (WatchedTarget* target = watched(reply.token)) settle_duplicate(*target, reply);
  }

  void on_timeout(const Timeout& timeout) {
    if (ProbeRunner::owns(timeout.token)) return probes_.on_timeout(timeout);
    if (WatchedTarget* target = watched(timeout.token)) {
      settle_timeout(*target, timeout, settle_context());
    }
    out_.request_flush();
  }

  void on_icmp_error(const IcmpError& error) {
    if (ProbeRunner::owns(error.token)) return probes_.on_icmp_error(error);
    if (WatchedTarget* target = watched(error.token)) settle_icmp_error(*target, error, settle_context());
    out_.request_flush();
  }

  void on_send_failure(const SendFailure& failure) {
    if (ProbeRunner::owns(failure.token)) return probes_.on_send_failure(failure);
    if (WatchedTarget* target = watched(failure.token)) settle_send_failure(*target, failure, settle_context());
    out_.request_flush();
  }

  // --- resolution ------------------------------------------------------------------------------

  std::optional<icmp::Family> lookup_family() const {
    if (options_.family) return options_.family;
    // One family open: its addresses are the ones that can be probed.
    const bool v4 = pinger_.mode(icmp::Family::v4).has_value();
    const bool v6 = pinger_.mode(icmp::Family::v6).has_value();
    if (v4 != v6) return v4 ? icmp::Family::v4 : icmp::Family::v6;
    return std::nullopt;
  }

  // --- signals, reload, periodic output ----------------------------------------------------------

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec || stopped_) return;
      if (signal == SIGHUP) {
        reload();
        wait_for_signal();
      } else {
        stop(kExitStopped);
      }
    });
  }

  void reload() {
    const WallTime wall = wall_now();
    if (options_.file) {
      std::size_t command_line = 0;
      for (const WatchedTarget& target : targets_) command_line += target.origin == TargetOrigin::command_line;
      auto read = read_watch_file(*options_.file, kMaxTargets - command_line);
      if (const auto* refusal = std::get_if<std::string>(&read)) {
        reload_ok_ = false;
        say("reload: " + *refusal + " (the targets stay as they were)");
        append_reload(out_.buffer(), format_, false, *refusal, targets_.size(), wall);
        out_.request_flush();
        return;
      }
      ReloadOutcome outcome = targets_.replace_file_targets(std::get<std::vector<std::string>>(read));
      for (WatchedTarget& removed : outcome.removed) {
        if (!removed.metrics) continue;
        if (const auto ended = removed.metrics->force_end(wall)) {
          append_outage_end(out_.buffer(), format_, event_target(removed), *ended, EndedBy::reload);
        }
      }
      for (const std::size_t index : outcome.added) resolutions_.resolve(index);
      restart_schedule();
      resolutions_.arm();
    }
    reload_ok_ = true;
    reload_success_seconds_ = std::chrono::duration<double>(wall).count();
    append_reload(out_.buffer(), format_, true, {}, targets_.size(), wall);
    out_.request_flush();
  }

  void write_textfile_and_rearm() {
    write_textfile_now();
    const auto every = std::max<std::chrono::microseconds>(options_.interval, std::chrono::seconds(1));
    textfile_timer_.expires_after(every);
    textfile_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopped_) write_textfile_and_rearm();
    });
  }

  void write_textfile_now() {
    const auto failure = write_textfile(*options_.textfile, [this](const TextfileWrite& write) {
      render_in_pieces([&write](std::string_view piece) { write(piece); });
    });
    // Said when it starts failing and when the failure changes, not at every interval.
    if (failure && failure != textfile_failure_) say("--textfile: " + *failure);
    textfile_failure_ = failure;
  }

  void arm_summary_timer() {
    summary_timer_.expires_after(options_.summary_every);
    summary_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      const WallTime now = wall_now();
      for (WatchedTarget& target : targets_) {
        if (!target.metrics) continue;
        append_summary(out_.buffer(), format_, event_target(target), *target.metrics, now, options_.summary_every);
        target.metrics->start_period();
        if (out_.size() >= kFlushBytes) out_.flush();
      }
      out_.request_flush();
      arm_summary_timer();
    });
  }

  // --- HTTP ------------------------------------------------------------------------------------

  const MonitorView& view() {
    fill_views(targets_, views_);
    view_.targets = views_;
    view_.process = read_process_stats();
    view_.last_reload_ok = reload_ok_;
    view_.last_reload_success_seconds = reload_success_seconds_;
    view_.version = kVersion;
    return view_;
  }

  // A fresh string sized from the last exposition and handed over (moved into the response): no
  // second copy at a scrape, and no exposition-sized buffer kept between scrapes (32 MB at 10,000
  // targets).
  std::string rendered_metrics() {
    std::string text;
    text.reserve(last_exposition_size_ + last_exposition_size_ / 16);
    render_metrics(view(), text);
    last_exposition_size_ = text.size();
    return text;
  }

  // The exposition in pieces of about 64 KiB, each handed to `take` and then reused: the text is
  // never held whole (32 MB at 10,000 targets).
  template <typename Take>
  void render_in_pieces(Take take) {
    std::string piece;
    piece.reserve(Exposition::kFlushAt + Exposition::kFlushAt / 8);
    render_metrics(view(), piece, [&take](std::string& text) {
      take(std::string_view(text));
      text.clear();
    });
  }

  // What Prometheus gets (it always accepts gzip): the pieces straight into the compressor, so a
  // scrape holds the compressed body only, about a fifteenth of the text (2.2 MB at 10,000 targets).
  std::string gzipped_metrics() {
    std::string body;
    body.reserve(last_gzip_size_ + last_gzip_size_ / 8);
    GzipWriter gzip(body);
    render_in_pieces([&gzip](std::string_view piece) { gzip.write(piece); });
    gzip.finish();
    last_gzip_size_ = body.size();
    return body;
  }

  void serve(const HttpRequest& request, Responder respond) {
    const std::string_view path = request.target.substr(0, request.target.find('?'));
    HttpResponse response;
    if (path == "/metrics") {
      response.content_type = kMetricsType;
      response.headers.emplace_back("Vary", "Accept-Encoding");
      if (request.accepts_gzip) {
        response.body = gzipped_metrics();
        response.headers.emplace_back("Content-Encoding", "gzip");
      } else {
        response.body = rendered_metrics();
      }
    } else if (path == "/probe") {
      probes_.handle(request, std::move(respond));
      return;
    } else if (path == "/-/healthy") {
      response.body = "OK\n";
    } else if (path == "/") {
      render_status_page(view(), response.body);
      response.content_type = "text/html; charset=utf-8";
    } else {
      response.status = 404;
      response.body = "not found: /metrics, /probe, /-/healthy and / are served\n";
    }
    respond(std::move(response));
  }

  // --- output and the end ----------------------------------------------------------------------

  void stop(int exit_code) {
    if (stopped_) return;
    stopped_ = true;
    exit_code_ = exit_code;
    // Every outage still open ends, so that each start has its end.
    const WallTime now = wall_now();
    for (WatchedTarget& target : targets_) {
      if (!target.metrics) continue;
      if (const auto ended = target.metrics->force_end(now)) {
        append_outage_end(out_.buffer(), format_, event_target(target), *ended, EndedBy::exit);
      }
    }
    if (options_.textfile) write_textfile_now();
    out_.flush();
    if (http_) http_->stop();
    probes_.stop();
    resolutions_.stop();
    pinger_.stop();
    for (asio::steady_timer* timer : {&send_timer_, &textfile_timer_, &summary_timer_}) timer->cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    io_.stop();
  }

  static constexpr std::size_t kFlushBytes = 64 << 10;

  const MonitorOptions& options_;
  const EventFormat format_;
  asio::io_context io_{1};
  Pinger pinger_;
  ResolverPool resolver_;  // after io_: its workers are told to stop before the loop goes away
  ProbeRunner probes_;
  std::optional<HttpServer> http_;
  TargetSet targets_;
  SendSchedule schedule_;
  asio::steady_timer send_timer_;
  asio::steady_timer textfile_timer_;
  asio::steady_timer summary_timer_;
  asio::signal_set signals_;
  EventOutput out_;
  Resolutions resolutions_;

  std::uint64_t due_first_ = 0;  // sends due and not yet made
  std::uint64_t due_last_ = 0;
  std::deque<std::uint64_t> busy_;  // serials of targets whose send could not leave
  bool pump_posted_ = false;

  std::vector<TargetView> views_;
  MonitorView view_;
  std::size_t last_exposition_size_ = 0;
  std::size_t last_gzip_size_ = 0;
  std::vector<OutageEvent> outage_events_;  // what one settlement released
  std::optional<std::string> textfile_failure_;
  bool reload_ok_ = true;
  double reload_success_seconds_ = 0;

  bool stopped_ = false;
  int exit_code_ = kExitStopped;
};

}  // namespace

int run(const MonitorOptions& options) {
  log::set_program_name(basename_of(options.program_name));
  // A reader that went away is one line and exit 2, not a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Monitor monitor(options);
    return monitor.run();
  } catch (const std::exception& error) {
    say(error.what());
    return kExitError;
  }
}

}  // namespace uping::monitor
