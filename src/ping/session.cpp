#include "ping/session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "cli/log.hpp"
#include "ping/pacer.hpp"
#include "uping/icmp.hpp"
#include "uping/stats.hpp"

namespace uping {
namespace {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using Clock = Pacer::Clock;

// Datagrams taken per wake-up before the timers get a turn.
constexpr std::size_t kReceiveBurst = 64;
// Send-then-receive rounds taken inline before the event loop gets a turn (timers, signals,
// output): a batch ends after this long, or this many rounds.
constexpr auto kInlineBatchTime = std::chrono::milliseconds(4);
constexpr int kInlineRounds = 8192;
// Probes sent in one go before the loop gets a turn: a large preload cannot hold it for ever.
constexpr int kSendBurst = 1024;
constexpr std::size_t kFloodFlushBytes = 4096;
constexpr auto kFloodFlushDelay = std::chrono::milliseconds(5);

class Session final : public net::EventSink {
 public:
  Session(asio::io_context& io, net::Endpoint& endpoint, const SessionPlan& plan, const Target& target,
          const Options& options, Output& output)
      : io_(io),
        endpoint_(endpoint),
        family_(endpoint.family()),
        multicast_(plan.multicast),
        target_(target),
        destination_(target.address),
        options_(options),
        out_(output),
        timing_(options.payload_size >= icmp::kTimestampSize),
        pacer_({effective_interval_ms(options), options.preload, options.adaptive, getuid() == 0}),
        send_timer_(io),
        exit_timer_(io),
        flush_timer_(io),
        signals_(io, SIGINT, SIGQUIT),
        namer_(options.force_lookup || (!options.numeric && !target.typed_as_address)),
        payload_(options.payload_size) {
    icmp::fill_payload(payload_, options.pattern);
    if (family_ == icmp::Family::v6 && plan.flow_label != 0) {
      reinterpret_cast<sockaddr_in6*>(&destination_.storage)->sin6_flowinfo = htonl(plan.flow_label);
    }
  }

  int run() {
    wait_for_signal();
    wait_for_packets();
    if (options_.deadline_seconds) {
      exit_timer_.expires_after(std::chrono::seconds(*options_.deadline_seconds));
      exit_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) finish();
      });
    }
    pump();
    flush_soon();
    io_.run();
    out_.flush();
    return exit_code_;
  }

  // --- events of the wire layer ---------------------------------------------------------------

  void on_reply(const net::WireReply& reply) override;
  void on_error(const net::WireError& error) override {
    if (sending_) {
      deferred_.emplace_back(error);
      return;
    }
    // Only errors about probes to the target are ours (a raw socket sees every one of the host's).
    if (!error.destination.same_host(target_.address)) return;
    handle_error(error.sequence, error.reporter, error.type, error.code, error.info);
  }
  void on_local_error(const net::LocalError& error) override {
    if (sending_) {
      deferred_.emplace_back(error);
      return;
    }
    stats_.record_error();
    if (options_.quiet) return;
    if (options_.flood) out_.add(report::kFloodLocalError);
    else if (error.error == EMSGSIZE) print_error(fmt::format("local error: message too long, mtu={}", error.info));
    else print_error(std::string("local error: ") + std::strerror(error.error));
  }
  void on_receive_error(int error) override { print_error(std::string("recvmsg: ") + std::strerror(error)); }
  bool wants_more() const override { return !finished_; }

 private:
  bool sending_done() const {
    return options_.count && stats_.transmitted() >= *options_.count && !options_.deadline_seconds;
  }

  std::uint64_t in_flight() const {
    const auto settled = stats_.received() + stats_.errors();
    return stats_.transmitted() > settled ? stats_.transmitted() - settled : 0;
  }

  std::uint64_t in_flight_for(std::uint64_t transmit_number) const {
    return stats_.transmitted() - transmit_number + 1;
  }

  // Sends every probe that is due, then sleeps until the next one is. Returns how many left.
  int pump() {
    if (finished_ || sending_done()) return 0;
    int sent = 0;
    while (sent < kSendBurst) {
      // One reading of the clocks per probe serves the pacing and the send time: in a flood,
      // clock reads are a measurable share of the work per echo on a virtual machine.
      const Instant now = net::read_clocks();
      const Clock::time_point now_point(duration_cast<Clock::duration>(now.monotonic));
      const auto delay = pacer_.delay(now_point, in_flight());
      if (delay > Clock::duration::zero()) {
        schedule_send(now_point + delay);
        return sent;
      }
      if (!send_probe(now_point, now)) return sent;
      ++sent;
      if (finished_ || sending_done()) return sent;
    }
    schedule_send(Clock::now());  // the timer comes back at once
    return sent;
  }

  // The timer is only moved earlier, never later: when it fires too soon, pump() finds nothing
  // due and arms it again. A flood then costs one timer update per 10 ms, not one per probe.
  void schedule_send(Clock::time_point at) {
    if (send_armed_ && armed_for_ <= at) return;
    send_armed_ = true;
    armed_for_ = at;
    send_timer_.expires_at(at);
    send_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      send_armed_ = false;
      pump();
      flush_soon();
    });
  }

  // Sends now (`send_started` is `sent_at` on the steady clock). Returns false when sending has
  // to pause (socket buffer full); the timer is armed then.
  bool send_probe(Clock::time_point send_started, const Instant& sent_at) {
    const auto sequence = static_cast<std::uint16_t>(stats_.transmitted() + 1);
    if (options_.report_outstanding && stats_.transmitted() > 0) {
      const auto previous = static_cast<std::uint16_t>(stats_.transmitted());
      if (!table_.answered(previous)) out_.add(timestamp() + report::no_answer_line(previous));
    }
    const auto wall_us = duration_cast<microseconds>(sent_at.wall).count();
    icmp::stamp_payload(payload_, wall_us / 1000000, wall_us % 1000000);

    // Errors the wire layer reads from the queue because of a failed send are about earlier
    // probes; they are handled once this one is counted, as iputils counts it.
    sending_ = true;
    const auto outcome = endpoint_.send(destination_, sequence, payload_, *this);
    sending_ = false;

    if (outcome.error == EAGAIN || outcome.error == EWOULDBLOCK) {
      // Socket buffer full: the probe did not leave; try again shortly.
      schedule_send(Clock::now() + Pacer::kMinimumWait);
      return false;
    }
    if (outcome.error == ENOBUFS || outcome.error == ENOMEM) {
      // Device queue full: back off as iputils does (and -A slows down for good).
      schedule_send(Clock::now() + pacer_.back_off(stats_.ewma()));
      return false;
    }

    // iputils measures "time" between the moments its probes were due, before each send.
    if (stats_.transmitted() == 0) first_send_ = send_started;
    last_send_ = send_started;
    stats_.record_transmit();
    table_.on_send(stats_.transmitted(), sent_at);
    handle_deferred();

    if (outcome.error == 0) {
      if (options_.flood && !options_.quiet) out_.add(report::kFloodSent);
    } else if (outcome.queued_errors == 0) {
      // Without a queued ICMP error to explain it, a failed send is a local error, counted as
      // iputils counts it only for EMSGSIZE.
      if (outcome.error == EMSGSIZE) stats_.record_error();
      if (!options_.quiet) {
        if (options_.flood) out_.add(report::kFloodLocalError);
        else print_error(std::string("sendmsg: ") + std::strerror(outcome.error));
      }
    }
    if (finished_) return false;
    check_done();
    if (finished_) return false;
    if (sending_done()) {
      arm_linger();
      return false;
    }
    return true;
  }

  void handle_deferred() {
    std::vector<std::variant<net::WireError, net::LocalError>> events;
    events.swap(deferred_);
    for (const auto& event : events) {
      if (finished_) break;
      if (const auto* error = std::get_if<net::WireError>(&event)) on_error(*error);
      else on_local_error(std::get<net::LocalError>(event));
    }
  }

  // After the last probe of a -c run: wait twice the longest round trip seen (at least one
  // interval) when replies came, else the -W linger time; then the run ends.
  void arm_linger() {
    Clock::duration wait;
    if (stats_.received() > 0) {
      const auto summary = stats_.rtt_summary();
      const auto twice_max = microseconds(summary ? 2 * summary->max : 0);
      wait = std::max<Clock::duration>(twice_max, std::chrono::milliseconds(pacer_.interval_ms()));
    } else {
      wait = duration_cast<Clock::duration>(std::chrono::duration<double>(options_.linger_seconds));
    }
    exit_timer_.expires_after(wait);
    exit_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) finish();
    });
  }

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
      if (ec || finished_) return;
      if (signal_number == SIGQUIT) {
        out_.flush();
        const std::string line = report::progress_line(stats_, timing_);
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
        wait_for_signal();
        return;
      }
      finish();
    });
  }

  // EPOLLERR (a queued ICMP error) also completes a read wait, so one wait covers both queues.
  void wait_for_packets() {
    endpoint_.async_wait_readable([this](const boost::system::error_code& ec) {
      if (ec || finished_) return;
      receive_and_send();
    });
  }

  void receive_and_send() {
    bool drained = endpoint_.receive(*this, kReceiveBurst).drained;
    send_and_receive_inline(drained);
    if (!finished_) {
      // Asio's epoll is edge-triggered: datagrams already announced and still waiting would not
      // wake a new wait, so read on after the timers had their turn.
      if (drained) wait_for_packets();
      else
        asio::post(io_, [this] {
          if (!finished_) receive_and_send();
        });
    }
    flush_soon();
  }

  // Sends what is now due, and while the answer is already queued when the send returns (a flood
  // on a fast path: loopback delivers inside the send), takes it at once instead of going back
  // to epoll: one send and one receive per echo, no epoll_wait between them.
  void send_and_receive_inline(bool& drained) {
    const auto batch_end = Clock::now() + kInlineBatchTime;
    bool bounded = false;
    int round = 0;
    while (!finished_ && pump() > 0) {
      const auto received = endpoint_.receive(*this, 1);
      drained = received.drained;
      if (received.datagrams == 0) break;
      if (++round == kInlineRounds || last_send_ >= batch_end) {
        bounded = true;
        break;
      }
    }
    // Out of rounds right after a reply: what is due now must still leave before waiting.
    if (bounded) pump();
  }

  // Flood output is written at most every few milliseconds (or when 4 KB are waiting), the rest
  // at the end of each event: a reader of a pipe still sees each reply when it happens.
  void flush_soon() {
    if (out_.empty() || finished_) return;
    const auto now_point = Clock::now();
    if (!options_.flood || out_.size() >= kFloodFlushBytes || now_point - last_flush_ >= kFloodFlushDelay) {
      out_.flush();
      last_flush_ = now_point;
      return;
    }
    if (flush_armed_) return;
    flush_armed_ = true;
    flush_timer_.expires_after(kFloodFlushDelay);
    flush_timer_.async_wait([this](const boost::system::error_code& ec) {
      flush_armed_ = false;
      if (ec) return;
      out_.flush();
      last_flush_ = Clock::now();
    });
  }

  void print_error(const std::string& message) {
    out_.flush();
    log::error(message);
  }

  void handle_error(std::uint16_t sequence, const SocketAddress& from, std::uint8_t type, std::uint8_t code,
                    std::uint32_t info) {
    const auto lookup = table_.on_error(sequence);
    if (lookup.match == ProbeTable::Match::unknown) return;
    stats_.record_error();
    stats_.observe_in_flight(in_flight_for(lookup.transmit_number));
    if (!options_.quiet) {
      if (options_.flood) {
        out_.add(report::kFloodIcmpError);
      } else {
        const std::string stamp = timestamp();
        out_.add(report::error_line(stamp.empty() ? std::nullopt : std::optional<std::string_view>(stamp),
                                    namer_.name(from), sequence,
                                    report::describe_icmp_error(family_, type, code, info)));
      }
    }
    check_done();
  }

  void check_done() {
    if (finished_) return;
    const auto settled = stats_.received() + stats_.errors();
    if (options_.count && settled >= *options_.count) {
      finish();
    } else if (options_.deadline_seconds && stats_.errors() > 0) {
      finish();  // iputils ends a -w run at the first error
    }
  }

  std::string timestamp() const {
    return options_.print_timestamps ? report::timestamp_prefix(net::read_clocks().wall) : std::string();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    send_timer_.cancel();
    exit_timer_.cancel();
    flush_timer_.cancel();
    signals_.cancel();
    endpoint_.cancel();

    const Micros elapsed = stats_.transmitted() > 0 ? duration_cast<microseconds>(last_send_ - first_send_).count() : 0;
    out_.add(statistics_text(target_.display_name, stats_, elapsed, options_));
    out_.flush();
    exit_code_ = exit_code_of(stats_, options_);
  }

  asio::io_context& io_;
  net::Endpoint& endpoint_;
  icmp::Family family_;
  bool multicast_;
  const Target& target_;
  SocketAddress destination_;
  const Options& options_;
  Output& out_;
  bool timing_;
  Pacer pacer_;

  asio::steady_timer send_timer_;
  asio::steady_timer exit_timer_;
  asio::steady_timer flush_timer_;
  asio::signal_set signals_;
  PeerNamer namer_;
  report::IpOptionsPrinter options_printer_;

  Statistics stats_;
  ProbeTable table_;
  std::vector<std::uint8_t> payload_;
  // Queued errors read by a failed send, handled once that send is counted.
  std::vector<std::variant<net::WireError, net::LocalError>> deferred_;
  bool sending_ = false;

  bool send_armed_ = false;
  Clock::time_point armed_for_;
  Clock::time_point first_send_;
  Clock::time_point last_send_;
  Clock::time_point last_flush_;
  bool flush_armed_ = false;
  bool finished_ = false;
  int exit_code_ = kExitNoReply;
};

void Session::on_reply(const net::WireReply& reply) {
  const bool bad_checksum = !reply.checksum_ok;
  // A corrupted reply is not matched against the probes (iputils leaves it unacknowledged).
  const auto lookup = bad_checksum ? table_.peek(reply.header.sequence) : table_.on_reply(reply.header.sequence);
  if (lookup.match == ProbeTable::Match::unknown) return;  // never sent by us: forged or stale

  // The kernel's stamp is the wall-clock time of the reply; read that clock too only without one.
  const bool kernel_stamped = reply.kernel_time && !options_.latency;
  Instant received_at;
  if (kernel_stamped && !options_.print_timestamps) {
    received_at.monotonic = net::read_monotonic();
    received_at.wall = *reply.kernel_time;
  } else {
    received_at = net::read_clocks();
  }
  const auto received_wall = kernel_stamped ? *reply.kernel_time : received_at.wall;
  const Micros rtt = round_trip_micros(lookup.sent, received_wall, received_at.monotonic);
  const bool duplicate = !bad_checksum && lookup.match == ProbeTable::Match::duplicate;
  const bool truncated = reply.icmp_bytes < options_.payload_size + icmp::kHeaderSize;
  if (bad_checksum) {
    stats_.record_corrupted();
  } else {
    stats_.record_reply(timing_ ? std::optional<Micros>(rtt) : std::nullopt, duplicate);
    stats_.observe_in_flight(in_flight_for(lookup.transmit_number));
    if (timing_ && options_.adaptive) pacer_.adapt(stats_.ewma());
  }

  if (options_.quiet) {
    check_done();
    return;
  }
  if (options_.flood) {
    out_.add(bad_checksum ? report::kFloodBadChecksum : report::kFloodReply);
    if (options_.audible) out_.add("\a");
    check_done();
    return;
  }
  report::Reply line;
  if (options_.print_timestamps) line.timestamp = report::timestamp_prefix(received_at.wall);
  line.icmp_bytes = reply.icmp_bytes;
  line.sequence = reply.header.sequence;
  // As iputils 20250605: an identifier to show is one -e chose, or a raw socket's own.
  if (options_.verbose && (options_.identifier || endpoint_.mode() == SocketMode::raw))
    line.identifier = reply.header.identifier;
  if (reply.ttl) line.ttl = *reply.ttl;
  line.truncated = truncated;
  if (timing_) line.rtt = rtt;
  line.precise_time = options_.rtt_precision;
  line.duplicate = duplicate && (!multicast_ || options_.verbose);
  line.bad_checksum = bad_checksum;
  // iputils checks the bytes after the timestamp area, and only when the payload has some.
  if (!truncated && options_.payload_size > icmp::kTimestampSize) {
    const auto received = reply.payload.first(std::min(reply.payload.size(), payload_.size()));
    line.mismatch = icmp::compare_payload(payload_, received);
    if (line.mismatch) line.received_payload = received;
  }
  line.audible = options_.audible;
  if (!reply.ip_options.empty() && family_ == icmp::Family::v4) {
    line.ip_options = options_printer_.format(reply.ip_options, false, [this](std::uint32_t address) {
      SocketAddress hop;
      auto* sin = reinterpret_cast<sockaddr_in*>(&hop.storage);
      sin->sin_family = AF_INET;
      sin->sin_addr.s_addr = htonl(address);
      hop.length = sizeof(sockaddr_in);
      return namer_.name(hop);
    });
  }
  // Last: the name is a view into the namer's one-entry cache, which the hops above reuse.
  line.from = namer_.name(*reply.from);
  out_.add_reply(line);
  check_done();
}

}  // namespace

int run_session(asio::io_context& io, net::Endpoint& endpoint, const SessionPlan& plan, const Target& target,
                const Options& options, Output& output) {
  Session session(io, endpoint, plan, target, options, output);
  return session.run();
}

}  // namespace uping
