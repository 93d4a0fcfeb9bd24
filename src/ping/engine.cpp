#include "ping/engine.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "system/diagnose.hpp"
#include "uping/icmp.hpp"
#include "cli/log.hpp"
#include "system/privileges.hpp"
#include "cli/report.hpp"
#include "system/resolve.hpp"
#include "wire/send_receive_ring.hpp"
#include "wire/receive.hpp"
#include "wire/socket.hpp"
#include "ping/startup.hpp"
#include "uping/stats.hpp"
#include "cli/stdout_writer.hpp"

namespace uping {
namespace {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::nanoseconds;
using Clock = std::chrono::steady_clock;

// iputils' shortest wait when it has to come back soon: a socket buffer full, or "-i 0"
// with a probe still in flight.
constexpr auto kMinimumWait = std::chrono::milliseconds(10);
// Replies drained per wake-up before the timers get a turn: bounds the time one burst can hold
// the loop.
constexpr int kReceiveBurst = 64;
// Send-then-receive rounds taken inline before the event loop gets a turn (timers, signals,
// output): a batch ends after this long, or this many rounds.
constexpr auto kInlineBatchTime = std::chrono::milliseconds(4);
constexpr int kInlineRounds = 8192;
// Output that cannot be written ends the run: a ping whose results are lost is useless.
struct OutputError {
  int error;
};

std::string_view family_name(icmp::Family family) {
  return family == icmp::Family::v4 ? "AF_INET" : "AF_INET6";
}

// stdout in one place: text is gathered and written with one write() per event handled (a
// flood of replies costs one system call per burst, not one per character), and always before
// anything goes to stderr so that the two streams keep their order.
class Output {
 public:
  void add(std::string_view text) { writer_ += text; }
  // A reply line formatted straight into the pending text: no allocation once it has grown.
  void add_reply(const report::Reply& reply) { report::append_reply_line(writer_.pending(), reply); }
  void flush() {
    if (const int error = writer_.flush()) throw OutputError{error};
  }
  bool empty() const { return writer_.empty(); }
  std::size_t size() const { return writer_.size(); }

 private:
  StdoutWriter writer_;
};

// Everything run_ping learns before the Session starts.
struct RunPlan {
  std::uint16_t identifier = 0;
  bool multicast = false;          // broadcast or multicast destination: DUP! only with -v
  std::uint32_t flow_label = 0;    // IPv6 -F, put in the destination's sin6_flowinfo
};

class Session {
 public:
  Session(asio::io_context& io, net::IcmpSocket& socket, SocketMode mode, const RunPlan& plan,
          const Target& target, const Options& options, Output& output)
      : io_(io),
        socket_(socket),
        fd_(socket.native_handle()),
        mode_(mode),
        family_(target.address.family()),
        identifier_(plan.identifier),
        multicast_(plan.multicast),
        target_(target),
        destination_(target.address),
        options_(options),
        out_(output),
        timing_(options.payload_size >= icmp::kTimestampSize),
        interval_ms_(effective_interval_ms(options)),
        root_(getuid() == 0),
        send_timer_(io),
        exit_timer_(io),
        flush_timer_(io),
        signals_(io, SIGINT, SIGQUIT),
        namer_(options.force_lookup || (!options.numeric && !target.typed_as_address)),
        request_(icmp::kHeaderSize + options.payload_size),
        payload_(options.payload_size) {
    icmp::fill_payload(payload_, options.pattern);
    if (interval_ms_ == 0) {
      if (auto ring = net::SendReceiveRing::open()) linked_.emplace(LinkedReceive{std::move(*ring), {}, {}});
    }
    if (family_ == icmp::Family::v6 && plan.flow_label != 0) {
      reinterpret_cast<sockaddr_in6*>(&destination_.storage)->sin6_flowinfo = htonl(plan.flow_label);
    }
  }

  int run() {
    start_ = Clock::now();
    wait_for_signal();
    wait_for_packets();
    if (options_.deadline_seconds) {
      exit_timer_.expires_at(start_ + std::chrono::seconds(*options_.deadline_seconds));
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

  // iputils' pacing (its pinger()): a token bucket of `preload` probes refilled one per
  // interval; with interval 0 (root's flood, "-i 0") a probe leaves as soon as fewer than
  // `preload` are unanswered, or 10 ms after the previous one when nothing comes back.
  // Returns how long to wait before the next probe may leave; zero or less: now.
  Clock::duration send_delay(Clock::time_point now_point) {
    const auto interval = std::chrono::milliseconds(interval_ms_);
    if (!bucket_started_) {
      bucket_started_ = true;
      last_token_time_ = now_point;
      tokens_ = interval * (options_.preload - 1);
      return Clock::duration::zero();
    }
    const auto elapsed = now_point - last_token_time_;
    if (interval_ms_ == 0 && elapsed < kMinimumWait && in_flight() >= options_.preload) {
      return kMinimumWait - elapsed;
    }
    auto available = elapsed + tokens_;
    const auto cap = interval * options_.preload;
    if (available > cap) available = cap;
    if (available < interval) return interval - available;
    last_token_time_ = now_point;
    tokens_ = available - interval;
    return Clock::duration::zero();
  }

  // Sends every probe that is due, then sleeps until the next one is. Returns how many left.
  int pump() {
    if (finished_ || sending_done()) return 0;
    // Bounded so that a large preload cannot hold the loop for ever; the timer comes back at once.
    int sent = 0;
    while (sent < 1024) {
      // One reading of the clocks per probe serves the pacing and the send time: in a flood,
      // clock reads are a measurable share of the work per echo on a virtual machine.
      const Instant now = net::read_clocks();
      const Clock::time_point now_point(duration_cast<Clock::duration>(now.monotonic));
      const auto delay = send_delay(now_point);
      if (delay > Clock::duration::zero()) {
        schedule_send(now_point + delay);
        return sent;
      }
      if (!send_probe(now_point, now)) return sent;
      ++sent;
      if (finished_ || sending_done()) return sent;
    }
    schedule_send(Clock::now());
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
    const std::size_t length = icmp::encode_echo_request(family_, {identifier_, sequence}, payload_, request_,
                                                           net::checksum_by(mode_));

    const int send_error = transmit(length, sent_at.monotonic);

    if (send_error == EAGAIN || send_error == EWOULDBLOCK) {
      // Socket buffer full: the probe did not leave; try again shortly.
      schedule_send(Clock::now() + kMinimumWait);
      return false;
    }
    if (send_error == ENOBUFS || send_error == ENOMEM) {
      // Device queue full: back off as iputils does (and -A slows down for good).
      rtt_addend_us_ += std::min<Micros>(stats_.ewma().value_or(0), kMaxAddendStep);
      if (options_.adaptive) update_adaptive_interval();
      schedule_send(Clock::now() + std::chrono::milliseconds(std::clamp(interval_ms_ / 2, 10, 500)));
      return false;
    }

    // iputils measures "time" between the moments its probes were due, before each send.
    if (stats_.transmitted() == 0) first_send_ = send_started;
    last_send_ = send_started;
    stats_.record_transmit();
    table_.on_send(stats_.transmitted(), sent_at);

    if (send_error == 0) {
      if (options_.flood && !options_.quiet) out_.add(report::kFloodSent);
    } else if (drain_error_queue() == 0) {
      // A pending ICMP error of the socket can surface here (EHOSTUNREACH after "Destination
      // Host Unreachable"): the error queue says more than errno; without one it is a local
      // error, counted as iputils counts it only for EMSGSIZE.
      if (send_error == EMSGSIZE) stats_.record_error();
      if (!options_.quiet) {
        if (options_.flood) out_.add(report::kFloodLocalError);
        else print_error(std::string("sendmsg: ") + std::strerror(send_error));
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

  // Sends the request; returns the send's errno, 0 when it left. In the send-then-receive rounds
  // of a flood the ring sends it and, in the same system call, takes what is then waiting: the
  // reply, on a path that answers inside the send. receive_one() handles what it took.
  int transmit(std::size_t length, std::chrono::nanoseconds sent_monotonic) {
    const std::span<const std::uint8_t> packet(request_.data(), length);
    if (link_receives_ && linked_ && linked_->ring && !linked_->pending) {
      if (const auto linked = net::send_then_receive(*linked_->ring, fd_, packet, destination_,
                                                     linked_->buffer, linked_->datagram)) {
        if (linked->ring_unusable) linked_->ring.reset();
        linked_->status = linked->received;
        linked_->sent_monotonic = sent_monotonic;
        linked_->pending = true;
        return linked->send_error;
      }
      linked_->ring.reset();  // the ring took nothing: plain system calls from now on
    }
    const ssize_t sent = ::sendto(fd_, packet.data(), packet.size(), MSG_DONTWAIT,
                                  destination_.get(), destination_.length);
    return sent < 0 ? errno : 0;
  }

  // After the last probe of a -c run: wait twice the longest round trip seen (at least one
  // interval) when replies came, else the -W linger time; then the run ends.
  void arm_linger() {
    Clock::duration wait;
    if (stats_.received() > 0) {
      const auto summary = stats_.rtt_summary();
      const auto twice_max = microseconds(summary ? 2 * summary->max : 0);
      wait = std::max<Clock::duration>(twice_max, std::chrono::milliseconds(interval_ms_));
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

  void wait_for_packets() {
    // EPOLLERR (a queued ICMP error) also completes a read wait, so one wait covers both queues.
    socket_.async_wait(net::IcmpSocket::wait_read, [this](const boost::system::error_code& ec) {
      if (ec || finished_) return;
      on_readable();
      send_and_receive_inline();
      if (!finished_) wait_for_packets();
      flush_soon();
    });
  }

  // Sends what is now due, and while the answer is already queued when the send returns (a flood
  // on a fast path: loopback delivers inside the send), takes it at once instead of going back
  // to epoll: one system call per echo through the ring, sendto and recvmsg without it.
  void send_and_receive_inline() {
    // After a batch that ran to its bound the path answers inline, and the next batch runs with
    // the socket out of epoll: every datagram queued on a socket of an epoll set costs a wake-up
    // callback (3 % of a loopback flood), and nothing waits on it during the batch.
    const bool detached = answers_inline_ && linked_ && linked_->ring;
    boost::system::error_code ignored;
    if (detached) socket_.release(ignored);
    const auto batch_end = Clock::now() + kInlineBatchTime;
    bool bounded = false;
    int round = 0;
    link_receives_ = true;
    while (!finished_ && pump() > 0 && receive_one()) {
      if (++round == kInlineRounds || last_send_ >= batch_end) {
        bounded = true;
        break;
      }
    }
    link_receives_ = false;
    // A reply the last send took (the run's last probe stops pump() short of receive_one) is
    // handled now: the socket no longer holds it to announce.
    if (linked_ && linked_->pending) receive_one();
    answers_inline_ = bounded;
    // Back into epoll before waiting; a reply already queued makes the registration report it.
    if (detached) socket_.assign(net::IcmpProtocol(family_, mode_), fd_, ignored);
    // Out of rounds right after a reply: what is due now must still leave before waiting.
    if (bounded) pump();
  }

  // One non-blocking receive (or what the ring's receive took); false when nothing was waiting.
  bool receive_one() {
    if (linked_ && linked_->pending) {
      linked_->pending = false;
      monotonic_hint_ = linked_->sent_monotonic;
      const bool received = settle_receive(linked_->status, linked_->datagram, linked_->buffer.data());
      monotonic_hint_.reset();
      return received;
    }
    net::Datagram datagram;
    const auto status = net::receive_datagram(fd_, receive_buffer_, datagram);
    return settle_receive(status, datagram, receive_buffer_.data());
  }

  bool settle_receive(net::ReceiveStatus status, const net::Datagram& datagram, const std::uint8_t* bytes) {
    if (status == net::ReceiveStatus::received) {
      handle_datagram(datagram, bytes);
      return true;
    }
    if (status == net::ReceiveStatus::failed) drain_error_queue();  // an ICMP error's errno
    return false;
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

  void on_readable() {
    if (linked_ && linked_->pending) receive_one();  // never left pending for the event loop; kept first if it were
    int received = 0;
    for (int i = 0; i < kReceiveBurst && !finished_; ++i) {
      net::Datagram datagram;
      const auto status = net::receive_datagram(fd_, receive_buffer_, datagram);
      if (status == net::ReceiveStatus::empty) break;
      if (status == net::ReceiveStatus::failed) {
        const int error = errno;
        // A datagram socket reports an ICMP error once as the errno of a receive; the details
        // are on the error queue.
        if (drain_error_queue() == 0 && error != EINTR) {
          print_error(std::string("recvmsg: ") + std::strerror(error));
          break;
        }
        continue;
      }
      handle_datagram(datagram, receive_buffer_.data());
      ++received;
    }
    // A wake-up without data was for the error queue alone (a local error, or one queued
    // behind the errno already taken): read it. ICMP errors otherwise announce themselves
    // as the errno of a receive, handled above.
    if (!finished_ && received == 0) drain_error_queue();
  }

  void handle_datagram(const net::Datagram& datagram, const std::uint8_t* buffer) {
    const icmp::Bytes bytes(buffer, std::min(datagram.length, net::ReceiveBuffer::size()));
    const bool raw_ipv4 = mode_ == SocketMode::raw && family_ == icmp::Family::v4;
    const icmp::Message message = raw_ipv4 ? icmp::decode_ipv4_packet(bytes)
                                           : icmp::decode_icmp(family_, bytes, net::checksum_by(mode_));

    if (const auto* reply = std::get_if<icmp::EchoReply>(&message)) {
      // A raw socket sees every ICMP packet of the host: only our identifier is ours. A
      // datagram socket only ever receives replies to its own identifier.
      if (mode_ == SocketMode::raw && reply->header.identifier != identifier_) return;
      std::span<const std::uint8_t> ip_options = datagram.ip_options;
      if (raw_ipv4) {
        const std::size_t header_size = static_cast<std::size_t>(bytes[0] & 0x0FU) * 4;
        ip_options = bytes.subspan(icmp::kIpv4MinHeaderSize, header_size - icmp::kIpv4MinHeaderSize);
      }
      handle_reply(*reply, datagram, ip_options);
    } else if (const auto* error = std::get_if<icmp::ErrorReport>(&message)) {
      if (mode_ != SocketMode::raw || error->quoted.identifier != identifier_) return;
      if (!quotes_target(*error)) return;
      handle_error(error->quoted.sequence, datagram.from, error->type, error->code, error->info);
    }
    // Malformed and unrelated messages are not ours to report.
  }

  bool quotes_target(const icmp::ErrorReport& error) const {
    const auto& storage = target_.address.storage;
    if (family_ == icmp::Family::v4) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
      return std::memcmp(&sin->sin_addr, error.quoted_destination.data(), 4) == 0;
    }
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    return std::memcmp(&sin6->sin6_addr, error.quoted_destination.data(), 16) == 0;
  }

  void handle_reply(const icmp::EchoReply& reply, const net::Datagram& datagram,
                    std::span<const std::uint8_t> ip_options) {
    const bool bad_checksum = !reply.checksum_ok;
    // A corrupted reply is not matched against the probes (iputils leaves it unacknowledged).
    const auto lookup = bad_checksum ? table_.peek(reply.header.sequence) : table_.on_reply(reply.header.sequence);
    if (lookup.match == ProbeTable::Match::unknown) return;  // never sent by us: forged or stale

    // The kernel's stamp is the wall-clock time of the reply; read that clock too only without one.
    const bool kernel_stamped = datagram.kernel_time && !options_.latency;
    Instant received_at;
    if (kernel_stamped && !options_.print_timestamps) {
      received_at.monotonic = monotonic_hint_ ? *monotonic_hint_ : net::read_monotonic();
      received_at.wall = *datagram.kernel_time;
    } else {
      received_at = net::read_clocks();
    }
    const auto received_wall = kernel_stamped ? *datagram.kernel_time : received_at.wall;
    const Micros rtt = round_trip_micros(lookup.sent, received_wall, received_at.monotonic);
    const bool duplicate = !bad_checksum && lookup.match == ProbeTable::Match::duplicate;
    const bool truncated = reply.icmp_length < options_.payload_size + icmp::kHeaderSize;
    if (bad_checksum) {
      stats_.record_corrupted();
    } else {
      stats_.record_reply(timing_ ? std::optional<Micros>(rtt) : std::nullopt, duplicate);
      stats_.observe_in_flight(in_flight_for(lookup.transmit_number));
      if (timing_ && options_.adaptive) update_adaptive_interval();
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
    line.icmp_bytes = reply.icmp_length;
    line.sequence = reply.header.sequence;
    // As iputils 20250605: an identifier to show is one -e chose, or a raw socket's own.
    if (options_.verbose && (options_.identifier || mode_ == SocketMode::raw)) line.identifier = reply.header.identifier;
    if (reply.ttl) line.ttl = *reply.ttl;
    else if (datagram.ttl) line.ttl = *datagram.ttl;
    line.truncated = truncated;
    if (timing_) line.rtt = rtt;
    line.precise_time = options_.rtt_precision;
    line.duplicate = duplicate && (!multicast_ || options_.verbose);
    line.bad_checksum = bad_checksum;
    // iputils checks the bytes after the timestamp area, and only when the payload has some.
    if (!truncated && options_.payload_size > icmp::kTimestampSize) {
      line.mismatch = icmp::compare_payload(payload_, reply.payload.first(std::min(reply.payload.size(), payload_.size())));
      if (line.mismatch) line.received_payload = reply.payload.first(std::min(reply.payload.size(), payload_.size()));
    }
    line.audible = options_.audible;
    if (!ip_options.empty() && family_ == icmp::Family::v4) {
      line.ip_options = options_printer_.format(ip_options, false, [this](std::uint32_t address) {
        SocketAddress hop;
        auto* sin = reinterpret_cast<sockaddr_in*>(&hop.storage);
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(address);
        hop.length = sizeof(sockaddr_in);
        return namer_.name(hop);
      });
    }
    // Last: the name is a view into the namer's one-entry cache, which the hops above reuse.
    line.from = namer_.name(datagram.from);
    out_.add_reply(line);
    check_done();
  }

  // -A: the next interval is the smoothed round-trip time (plus any back-off), at least 2 ms
  // for a user, as iputils computes it.
  void update_adaptive_interval() {
    const Micros estimate = stats_.ewma().value_or(static_cast<Micros>(interval_ms_) * 1000);
    interval_ms_ = static_cast<int>((estimate + rtt_addend_us_ + 500) / 1000);
    if (!root_ && interval_ms_ < kMinUserIntervalMs) interval_ms_ = kMinUserIntervalMs;
  }

  void handle_error(std::uint16_t sequence, const SocketAddress& from, std::uint8_t type,
                    std::uint8_t code, std::uint32_t info) {
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

  // Reads every entry of the socket's error queue; returns how many there were.
  int drain_error_queue() {
    int handled = 0;
    for (int i = 0; i < kReceiveBurst && !finished_; ++i) {
      net::QueuedError queued;
      if (net::receive_queued_error(fd_, receive_buffer_, queued) !=
          net::ReceiveStatus::received)
        break;
      ++handled;
      handle_queued_error(queued);
    }
    return handled;
  }

  void handle_queued_error(const net::QueuedError& queued) {
    if (queued.origin == net::kOriginLocal) {
      stats_.record_error();
      if (options_.quiet) return;
      if (options_.flood) out_.add(report::kFloodLocalError);
      else if (queued.error == EMSGSIZE)
        print_error(fmt::format("local error: message too long, mtu={}", queued.info));
      else
        print_error(std::string("local error: ") + std::strerror(queued.error));
      return;
    }
    const bool icmp_origin = queued.origin == net::kOriginIcmp || queued.origin == net::kOriginIcmp6;
    if (!icmp_origin || !queued.destination.same_host(target_.address)) return;
    // On a raw socket the same error also arrives as a packet, which is where it is counted.
    if (mode_ == SocketMode::raw) return;
    const icmp::Bytes original(receive_buffer_.data(), std::min(queued.length, receive_buffer_.size()));
    const auto request = icmp::decode_echo_request(family_, original);
    if (!request) return;
    handle_error(request->sequence, queued.offender.value_or(queued.destination), queued.type,
                 queued.code, queued.info);
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
    boost::system::error_code ignored;  // a socket out of epoll for a batch has nothing to cancel
    socket_.cancel(ignored);

    report::Summary summary;
    summary.name = target_.display_name;
    summary.stats = &stats_;
    summary.elapsed = stats_.transmitted() > 0
                          ? duration_cast<microseconds>(last_send_ - first_send_).count()
                          : 0;
    summary.timing = timing_;
    summary.show_ipg_ewma = options_.flood || options_.adaptive || effective_interval_ms(options_) == 0;
    out_.add(report::statistics_block(summary));
    out_.flush();

    const bool short_of_count =
        options_.deadline_seconds && options_.count && stats_.received() < *options_.count;
    exit_code_ = stats_.received() == 0 || short_of_count ? kExitNoReply : kExitOk;
  }

  static constexpr Micros kMaxAddendStep = 50000;
  static constexpr int kMinUserIntervalMs = 2;
  static constexpr std::size_t kFloodFlushBytes = 4096;
  static constexpr auto kFloodFlushDelay = std::chrono::milliseconds(5);

  asio::io_context& io_;
  net::IcmpSocket& socket_;
  const int fd_;  // the socket's descriptor, also while a batch has it out of Asio's epoll
  SocketMode mode_;
  icmp::Family family_;
  std::uint16_t identifier_;
  bool multicast_;
  const Target& target_;
  SocketAddress destination_;
  const Options& options_;
  Output& out_;
  bool timing_;
  int interval_ms_;
  bool root_;
  Micros rtt_addend_us_ = 0;

  asio::steady_timer send_timer_;
  asio::steady_timer exit_timer_;
  asio::steady_timer flush_timer_;
  asio::signal_set signals_;
  PeerNamer namer_;
  report::IpOptionsPrinter options_printer_;

  Statistics stats_;
  ProbeTable table_;
  std::vector<std::uint8_t> request_;
  std::vector<std::uint8_t> payload_;
  net::ReceiveBuffer receive_buffer_;
  // A flood (interval 0) sends through an io_uring where the kernel allows one, and its receive
  // lands here until receive_one() takes it. The ring is dropped for good if it ever fails.
  struct LinkedReceive {
    std::optional<net::SendReceiveRing> ring;
    net::ReceiveBuffer buffer;
    net::Datagram datagram;
    net::ReceiveStatus status = net::ReceiveStatus::empty;
    std::chrono::nanoseconds sent_monotonic{};  // the clock reading of the send that carried the receive
    bool pending = false;
  };
  // The monotonic reading of a kernel-stamped reply only guards the stamp against wall-clock
  // steps of more than a second (round_trip_micros). For a reply the ring took in the system call
  // of the latest send, that send's reading is as good, and saves a clock read per echo.
  std::optional<std::chrono::nanoseconds> monotonic_hint_;
  std::optional<LinkedReceive> linked_;
  bool link_receives_ = false;  // during the send-then-receive rounds only
  bool answers_inline_ = false;  // the last batch of rounds ran to its bound

  bool send_armed_ = false;
  Clock::time_point armed_for_;
  bool bucket_started_ = false;
  Clock::time_point last_token_time_;
  Clock::duration tokens_{};
  Clock::time_point start_;
  Clock::time_point first_send_;
  Clock::time_point last_send_;
  Clock::time_point last_flush_;
  bool flush_armed_ = false;
  bool finished_ = false;
  int exit_code_ = kExitNoReply;
};

std::string socket_summary(const std::optional<net::OpenedSocket>& socket) {
  if (!socket) return "-1 (socktype: 0)";
  return fmt::format("{} (socktype: {})", socket->fd(), socket_mode_name(socket->mode()));
}

// What iputils learns with a connected UDP socket before the first probe: the source address
// the kernel would use (for -I / -B and the header), and whether the destination is reachable
// at all ("connect: Network is unreachable"), or a broadcast address (EACCES without -b).
struct RouteProbe {
  std::optional<SocketAddress> source;
  std::optional<std::string> failure;  // message for stderr, exit 2
  bool broadcast_warning = false;      // -b to a broadcast address
};

RouteProbe probe_route(const Target& target, const Options& options, const std::string& device) {
  RouteProbe result;
  const int fd = ::socket(target.address.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return result;  // cannot tell; the probes will say
  if (!device.empty()) {
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1)) != 0) {
      result.failure = "SO_BINDTODEVICE " + device + ": " + std::strerror(errno);
      ::close(fd);
      return result;
    }
  }
  if (options.tos && *options.tos != 0 && target.address.family() == icmp::Family::v4) {
    setsockopt(fd, IPPROTO_IP, IP_TOS, &*options.tos, sizeof(int));
  }
  SocketAddress probe = target.address;
  const std::uint16_t discard_port = htons(1025);
  if (probe.storage.ss_family == AF_INET)
    reinterpret_cast<sockaddr_in*>(&probe.storage)->sin_port = discard_port;
  else
    reinterpret_cast<sockaddr_in6*>(&probe.storage)->sin6_port = discard_port;
  // iputils probes a link-local destination with an unset family: connect() only dissolves, and
  // the source reads "::" (shown after "from" with -I, and off every device).
  if (startup::is_link_local(target.address)) probe.storage.ss_family = AF_UNSPEC;
  if (::connect(fd, probe.get(), probe.length) != 0) {
    if (errno == EACCES && probe.storage.ss_family == AF_INET) {
      if (!options.broadcast) {
        result.failure = "Do you want to ping broadcast? Then -b. If not, check your local firewall rules";
        ::close(fd);
        return result;
      }
      result.broadcast_warning = true;
      const int on = 1;
      setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
      if (::connect(fd, probe.get(), probe.length) != 0) result.failure = std::string("connect: ") + std::strerror(errno);
    } else {
      result.failure = std::string("connect: ") + std::strerror(errno);
    }
  }
  if (!result.failure) {
    SocketAddress source;
    source.length = sizeof source.storage;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&source.storage), &source.length) == 0) {
      if (source.storage.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&source.storage)->sin_port = 0;
      else reinterpret_cast<sockaddr_in6*>(&source.storage)->sin6_port = 0;
      result.source = source;
    }
  }
  ::close(fd);
  return result;
}

bool is_multicast(const SocketAddress& address) {
  if (address.storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&address.storage);
    return IN_MULTICAST(ntohl(sin->sin_addr.s_addr));
  }
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address.storage);
  return IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr);
}

int pmtu_value(PmtuDiscovery mode, icmp::Family family) {
  const bool v4 = family == icmp::Family::v4;
  switch (mode) {
    case PmtuDiscovery::do_: return v4 ? IP_PMTUDISC_DO : IPV6_PMTUDISC_DO;
    case PmtuDiscovery::dont: return v4 ? IP_PMTUDISC_DONT : IPV6_PMTUDISC_DONT;
    case PmtuDiscovery::want: return v4 ? IP_PMTUDISC_WANT : IPV6_PMTUDISC_WANT;
    case PmtuDiscovery::probe: return v4 ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
  }
  return v4 ? IP_PMTUDISC_WANT : IPV6_PMTUDISC_WANT;
}

// iputils' receive-buffer estimate for `preload` probes in flight (its sock_setbufs).
int receive_buffer_for(const Options& options, icmp::Family family) {
  const int header_room = family == icmp::Family::v4 ? static_cast<int>(ip_options_size(options)) + 20 : 40;
  long long per_packet = static_cast<long long>(options.payload_size) + 8;
  per_packet += ((per_packet + 511) / 512) * (header_room + 16 + 64 + 160);
  return static_cast<int>(std::min<long long>(per_packet * options.preload, INT_MAX));
}

// Options iputils applies to one family only; uping says so instead of silently ignoring them.
void warn_other_family_options(const Options& options, icmp::Family family) {
  const auto warn = [](std::string_view option, std::string_view only) {
    log::error(fmt::format("warning: {} applies to {} destinations only; not used", option, only));
  };
  if (family == icmp::Family::v6) {
    if (options.record_route) warn("-R", "IPv4");
    if (options.timestamp_option) warn("-T", "IPv4");
    if (options.broadcast) warn("-b", "IPv4");
  } else if (options.flow_label && *options.flow_label != 0) {
    warn("-F", "IPv6");
  }
}

}  // namespace

namespace {
int run_ping_unguarded(const Options& options);
}  // namespace

int run_ping(const Options& options) {
  try {
    return run_ping_unguarded(options);
  } catch (const OutputError& failure) {
    // As iputils: a reader that went away ends the run silently, any other failure exits 1.
    return report_write_error(failure.error, EXIT_FAILURE, BrokenPipe::quiet);
  }
}

namespace {

int run_ping_unguarded(const Options& options) {
  log::set_program_name(options.program_name);
  if (options.verbose) log::enable_verbose();
  Output output;
  // -p's "PATTERN:" line has been printed by main before this, as iputils prints it while parsing.

  const bool raw_only = options.identifier && *options.identifier == 0;
  if (raw_only) log::verbose("WARNING: ident 0 => forcing raw socket");
  std::vector<SocketAttempt> attempts;
  std::optional<net::OpenedSocket> socket4;
  std::optional<net::OpenedSocket> socket6;
  // Open before resolving and drop every privilege right after, as iputils does: name
  // resolution and everything that follows run without privilege.
  if (options.family != icmp::Family::v6) socket4 = net::open_icmp_socket(icmp::Family::v4, attempts, raw_only);
  if (options.family != icmp::Family::v4) socket6 = net::open_icmp_socket(icmp::Family::v6, attempts, raw_only);
  // -m needs CAP_NET_ADMIN (or CAP_NET_RAW): set it while capabilities may still be held.
  int mark_error4 = 0;
  int mark_error6 = 0;
  if (options.mark) {
    if (socket4) mark_error4 = net::set_mark(socket4->fd(), *options.mark);
    if (socket6) mark_error6 = net::set_mark(socket6->fd(), *options.mark);
  }
  if (const auto failure = privileges::drop_all()) {
    log::error("cannot drop privileges: " + *failure);
    return kExitError;
  }
  load_user_charset_if_needed({options.target}, false);
  const std::string_view hints_family =
      !options.family ? "AF_UNSPEC" : family_name(*options.family);
  log::verbose(fmt::format("sock4.fd: {}, sock6.fd: {}, hints.ai_family: {}", socket_summary(socket4),
                           socket_summary(socket6), hints_family));

  if (socket6) {
    if (auto warning = startup::link_local_warning(options.target, socket6->mode() == SocketMode::datagram))
      log::error(*warning);
  }
  const auto resolved = resolve_target(options.target, options.family);
  const auto* failure = std::get_if<ResolveError>(&resolved);
  for (const AddrinfoEntry& seen : failure ? failure->seen : std::get<Target>(resolved).seen) {
    log::verbose(fmt::format("ai->ai_family: {}, ai->ai_canonname: '{}'", family_name(seen.family), seen.canonical_name));
  }
  if (failure) {
    log::error(failure->message);
    return kExitError;
  }
  const Target& target = std::get<Target>(resolved);
  const icmp::Family family = target.address.family();

  auto& chosen = family == icmp::Family::v4 ? socket4 : socket6;
  if (!chosen) {
    std::erase_if(attempts, [&](const SocketAttempt& attempt) { return attempt.family != family; });
    const auto facts = gather_permission_facts(std::move(attempts));
    const std::string text = explain_socket_failure(options.program_name, facts);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return kExitError;
  }
  warn_other_family_options(options, family);
  // -T tsprespec's hops: resolved before the route probe, which asks for the way to the first.
  const auto hops = startup::resolve_timestamp_hops(family == icmp::Family::v4 ? options.timestamp_hops
                                                                                : std::vector<std::string>{});
  if (const auto* hop_failure = std::get_if<ResolveError>(&hops)) {
    log::error(hop_failure->message);
    return kExitError;
  }
  const auto& hop_addresses = std::get<std::vector<SocketAddress>>(hops);

  net::SocketSettings settings;
  settings.ttl = options.ttl;
  std::optional<SocketAddress> source_address;  // -I given as an address
  const auto [source_text, device] = startup::split_interface_option(options.interface);
  if (!source_text.empty()) {
    const auto as_address = resolve_target(source_text, family);
    if (const auto* source = std::get_if<Target>(&as_address)) source_address = source->address;
  }
  // iputils looks an IPv6 -I device up first; a link-local source takes it as its scope.
  if (family == icmp::Family::v6 && !device.empty()) {
    const unsigned index = if_nametoindex(device.c_str());
    if (index == 0) {
      log::error("unknown iface: " + device);
      return kExitError;
    }
    if (source_address) startup::scope_source_to_device(*source_address, index);
  }
  settings.interface = device;

  RouteProbe route;
  if (!source_address) {
    Target first_hop = target;
    if (!hop_addresses.empty()) first_hop.address = hop_addresses.front();
    route = probe_route(first_hop, options, device);
    if (route.failure) {
      log::error(*route.failure);
      return kExitError;
    }
    if (route.broadcast_warning) {
      std::fputs("WARNING: pinging broadcast address\n", stderr);
      std::fflush(stderr);
    }
    if (!device.empty() && route.source) {
      const auto warning = startup::source_device_warning(startup::interface_addresses(), device, *route.source);
      if (warning) log::error(*warning);
    }
  }
  // iputils reports a refused SO_MARK once, where it first tries it (its route probe), then
  // leaves the mark alone.
  const int mark_error = family == icmp::Family::v4 ? mark_error4 : mark_error6;
  if (options.mark && mark_error != 0) {
    log::error(fmt::format("WARNING: failed to set mark: {}: {}", *options.mark, std::strerror(mark_error)));
    if (mark_error == EPERM) {
      log::error("=> missing cap_net_admin+p or cap_net_raw+p (since Linux 5.17) capability?");
    }
  }

  const bool multicast = options.broadcast || is_multicast(target.address);
  std::optional<PmtuDiscovery> pmtu = options.pmtu;
  if (multicast && family == icmp::Family::v4) {
    if (getuid() != 0) {
      if (options.interval_seconds * 1000.0 + 1e-6 < 1000.0) {
        log::error("minimal interval for broadcast ping for user must be >= 1000 ms, use -i 1 (or higher)");
        return kExitError;
      }
      if (pmtu && *pmtu != PmtuDiscovery::do_) {
        log::error("broadcast ping does not fragment");
        return kExitError;
      }
    }
    if (!pmtu) pmtu = PmtuDiscovery::do_;
  }
  if (pmtu) settings.pmtu = pmtu_value(*pmtu, family);

  // -B binds to the source the route probe found; -I with an address binds to that address.
  std::optional<SocketAddress> bound_source = source_address;
  if (!bound_source && options.strict_source) bound_source = route.source;
  settings.source = bound_source;
  settings.identifier = options.identifier;
  settings.tos = options.tos;
  settings.sndbuf = options.sndbuf;
  settings.rcvbuf = std::max(receive_buffer_for(options, family), 65536);
  settings.so_debug = options.so_debug;
  settings.dont_route = options.dont_route;
  settings.broadcast = options.broadcast && family == icmp::Family::v4;
  settings.no_loop = options.no_loop;
  settings.kernel_timestamps = !options.latency;
  if (family == icmp::Family::v4) {
    settings.ip_options = startup::ip_option_bytes(options, hop_addresses);
    settings.ip_options_timestamp = options.timestamp_option.has_value();
  } else if (options.flow_label) {
    settings.flow_label = options.flow_label;
    settings.flow_destination = target.address;
  }

  std::string configure_error;
  const auto raw_identifier =
      options.identifier ? *options.identifier : static_cast<std::uint16_t>(getpid() & 0xffff);
  asio::io_context io(1);
  const SocketMode mode = chosen->mode();
  net::IcmpSocket socket = chosen->into_asio(io, family);
  const auto identifier = net::configure_socket(socket.native_handle(), family, mode, settings, raw_identifier, configure_error);
  if (!identifier) {
    log::error(configure_error);
    return kExitError;
  }
  {
    int granted = 0;
    socklen_t length = sizeof granted;
    if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUF, &granted, &length) == 0 &&
        granted < receive_buffer_for(options, family)) {
      log::error("WARNING: probably, rcvbuf is not enough to hold preload");
    }
  }

  report::Header header;
  header.family = family;
  header.name = target.display_name;
  header.address = target.numeric;
  header.payload_size = options.payload_size;
  header.ip_options_size = family == icmp::Family::v4 ? ip_options_size(options) : 0;
  if (!options.interface.empty() || options.strict_source) {
    const auto& shown = source_address ? source_address : route.source;
    header.source = shown ? numeric_host(*shown) : std::string(family == icmp::Family::v4 ? "0.0.0.0" : "::");
    header.device = device;
  }
  if (family == icmp::Family::v6) header.flow_label = options.flow_label;
  output.add(report::header_line(header));
  output.flush();

  if (const auto violation = user_limit_violation(options, getuid() == 0)) {
    log::error(*violation);
    return kExitError;
  }
  if (options.connect_socket && ::connect(socket.native_handle(), target.address.get(), target.address.length) != 0) {
    log::error(std::string("connect failed: ") + std::strerror(errno));
    return kExitError;
  }

  RunPlan plan;
  plan.identifier = *identifier;
  plan.multicast = multicast;
  if (family == icmp::Family::v6 && options.flow_label) plan.flow_label = *options.flow_label;
  Session session(io, socket, mode, plan, target, options, output);
  return session.run();
}

}  // namespace
}  // namespace uping
