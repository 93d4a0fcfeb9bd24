#include "uping/engine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "uping/diagnose.hpp"
#include "uping/icmp.hpp"
#include "uping/log.hpp"
#include "uping/privileges.hpp"
#include "uping/report.hpp"
#include "uping/resolve.hpp"
#include "uping/socket.hpp"
#include "uping/stats.hpp"

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
// Largest datagram a raw IPv4 socket can hand us: a 60-byte header and a 65,535-byte payload.
constexpr std::size_t kReceiveBufferSize = 60 + 65535;

Instant now() noexcept {
  timespec wall{};
  timespec mono{};
  clock_gettime(CLOCK_REALTIME, &wall);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  const auto to_ns = [](const timespec& ts) {
    return std::chrono::seconds(ts.tv_sec) + nanoseconds(ts.tv_nsec);
  };
  return {to_ns(wall), to_ns(mono)};
}

// Output that cannot be written ends the run: a ping whose results are lost is useless.
struct OutputError {
  int error;
};

// Results go to stdout through stdio, flushed per line as iputils does, so that a pipe reader
// sees each reply when it happens.
void print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    throw OutputError{errno};
  }
}

std::string_view family_name(icmp::Family family) {
  return family == icmp::Family::v4 ? "AF_INET" : "AF_INET6";
}

class Session {
 public:
  Session(asio::io_context& io, net::IcmpSocket& socket, SocketMode mode, std::uint16_t identifier,
          const Target& target, const Options& options)
      : io_(io),
        socket_(socket),
        mode_(mode),
        family_(target.address.family()),
        identifier_(identifier),
        target_(target),
        options_(options),
        timing_(options.payload_size >= icmp::kTimestampSize),
        interval_(duration_cast<Clock::duration>(std::chrono::duration<double>(options.interval_seconds))),
        send_timer_(io),
        exit_timer_(io),
        signals_(io, SIGINT, SIGQUIT),
        namer_(!options.numeric && !target.typed_as_address),
        request_(icmp::kHeaderSize + options.payload_size),
        payload_(options.payload_size),
        receive_buffer_(kReceiveBufferSize) {
    icmp::fill_payload(payload_, {});
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
    next_send_ = start_;
    send_probe();
    io_.run();
    return exit_code_;
  }

 private:
  bool sending_done() const {
    return options_.count && stats_.transmitted() >= *options_.count && !options_.deadline_seconds;
  }

  std::uint64_t in_flight_for(std::uint64_t transmit_number) const {
    return stats_.transmitted() - transmit_number + 1;
  }

  void send_probe() {
    if (finished_) return;
    const auto sequence = static_cast<std::uint16_t>(stats_.transmitted() + 1);
    if (options_.report_outstanding && stats_.transmitted() > 0) {
      const auto previous = static_cast<std::uint16_t>(stats_.transmitted());
      if (!table_.answered(previous)) print(timestamp() + report::no_answer_line(previous));
    }

    const auto send_started = Clock::now();
    const Instant sent_at = now();
    const auto wall_us = duration_cast<microseconds>(sent_at.wall).count();
    icmp::stamp_payload(payload_, wall_us / 1000000, wall_us % 1000000);
    const std::size_t length = icmp::encode_echo_request(family_, {identifier_, sequence}, payload_, request_);

    const ssize_t sent = ::sendto(socket_.native_handle(), request_.data(), length, MSG_DONTWAIT,
                                  target_.address.get(), target_.address.length);
    const int send_error = sent < 0 ? errno : 0;

    if (send_error == EAGAIN || send_error == EWOULDBLOCK || send_error == ENOBUFS || send_error == ENOMEM) {
      // Socket buffer or device queue full: the probe did not leave; try again shortly.
      schedule_send(Clock::now() + kMinimumWait);
      return;
    }

    // iputils measures "time" between the moments its probes were due, before each send.
    if (stats_.transmitted() == 0) first_send_ = send_started;
    last_send_ = send_started;
    stats_.record_transmit();
    table_.on_send(sequence, sent_at, stats_.transmitted());

    if (send_error != 0) {
      // A pending ICMP error of the socket can surface here (EHOSTUNREACH after "Destination
      // Host Unreachable"): read the error queue first, it says more than errno.
      if (drain_error_queue() == 0 && !options_.quiet) {
        log::error(std::string("sendmsg: ") + std::strerror(send_error));
      }
    }
    if (finished_) return;
    check_done();
    if (finished_) return;

    if (sending_done()) {
      arm_linger();
      return;
    }
    next_send_ += interval_;
    if (interval_ == Clock::duration::zero()) next_send_ = Clock::now() + kMinimumWait;
    schedule_send(next_send_);
  }

  void schedule_send(Clock::time_point at) {
    send_timer_.expires_at(at);
    send_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) send_probe();
    });
  }

  // After the last probe of a -c run: wait twice the longest round trip seen (at least one
  // interval) when replies came, else the -W linger time; then the run ends.
  void arm_linger() {
    Clock::duration wait;
    if (stats_.received() > 0) {
      const auto summary = stats_.rtt_summary();
      const auto twice_max = microseconds(summary ? 2 * summary->max : 0);
      wait = std::max<Clock::duration>(twice_max, interval_);
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
        const std::string line = report::progress_line(stats_, timing_);
        std::fwrite(line.data(), 1, line.size(), stderr);
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
      if (!finished_) wait_for_packets();
    });
  }

  void on_readable() {
    for (int i = 0; i < kReceiveBurst && !finished_; ++i) {
      net::Datagram datagram;
      const auto status = net::receive_datagram(socket_.native_handle(), receive_buffer_, datagram);
      if (status == net::ReceiveStatus::empty) break;
      if (status == net::ReceiveStatus::failed) {
        const int error = errno;
        // A datagram socket reports an ICMP error once as the errno of a receive; the details
        // are on the error queue.
        if (drain_error_queue() == 0 && error != EINTR) {
          log::error(std::string("recvmsg: ") + std::strerror(error));
          break;
        }
        continue;
      }
      handle_datagram(datagram);
    }
    if (!finished_) drain_error_queue();
  }

  void handle_datagram(const net::Datagram& datagram) {
    const icmp::Bytes bytes(receive_buffer_.data(), std::min(datagram.length, receive_buffer_.size()));
    const bool raw_ipv4 = mode_ == SocketMode::raw && family_ == icmp::Family::v4;
    const icmp::Message message = raw_ipv4 ? icmp::decode_ipv4_packet(bytes) : icmp::decode_icmp(family_, bytes);

    if (const auto* reply = std::get_if<icmp::EchoReply>(&message)) {
      // A raw socket sees every ICMP packet of the host: only our identifier is ours. A
      // datagram socket only ever receives replies to its own identifier.
      if (mode_ == SocketMode::raw && reply->header.identifier != identifier_) return;
      handle_reply(*reply, datagram);
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

  void handle_reply(const icmp::EchoReply& reply, const net::Datagram& datagram) {
    if (!reply.checksum_ok) {
      stats_.record_corrupted();
      return;
    }
    const auto lookup = table_.on_reply(reply.header.sequence);
    if (lookup.match == ProbeTable::Match::unknown) return;  // never sent by us: forged or stale

    const Instant received_at = now();
    const Micros rtt = round_trip_micros(lookup.sent, datagram.kernel_time.value_or(received_at.wall),
                                         received_at.monotonic);
    const bool duplicate = lookup.match == ProbeTable::Match::duplicate;
    stats_.record_reply(timing_ ? std::optional<Micros>(rtt) : std::nullopt, duplicate);
    stats_.observe_in_flight(in_flight_for(lookup.transmit_number));

    if (!options_.quiet) {
      report::Reply line;
      if (options_.print_timestamps) line.timestamp = report::timestamp_prefix(received_at.wall);
      line.icmp_bytes = reply.icmp_length;
      line.from = namer_.name(datagram.from);
      line.sequence = reply.header.sequence;
      if (options_.verbose) line.identifier = reply.header.identifier;
      if (reply.ttl) line.ttl = *reply.ttl;
      else if (datagram.ttl) line.ttl = *datagram.ttl;
      if (timing_) line.rtt = rtt;
      line.duplicate = duplicate;
      print(report::reply_line(line));
    }
    check_done();
  }

  void handle_error(std::uint16_t sequence, const SocketAddress& from, std::uint8_t type,
                    std::uint8_t code, std::uint32_t info) {
    const auto lookup = table_.on_error(sequence);
    if (lookup.match == ProbeTable::Match::unknown) return;
    stats_.record_error();
    stats_.observe_in_flight(in_flight_for(lookup.transmit_number));
    if (!options_.quiet) {
      const std::string stamp = timestamp();
      print(report::error_line(stamp.empty() ? std::nullopt : std::optional<std::string_view>(stamp),
                               namer_.name(from), sequence,
                               report::describe_icmp_error(family_, type, code, info)));
    }
    check_done();
  }

  // Reads every entry of the socket's error queue; returns how many there were.
  int drain_error_queue() {
    int handled = 0;
    for (int i = 0; i < kReceiveBurst && !finished_; ++i) {
      net::QueuedError queued;
      if (net::receive_queued_error(socket_.native_handle(), receive_buffer_, queued) !=
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
      if (queued.error == EMSGSIZE)
        log::error(fmt::format("local error: message too long, mtu={}", queued.info));
      else
        log::error(std::string("local error: ") + std::strerror(queued.error));
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
    } else if (options_.interval_seconds == 0.0 && !sending_done() && settled >= stats_.transmitted()) {
      // "-i 0": the next probe goes out as soon as the previous one is answered.
      send_timer_.cancel();
      asio::post(io_, [this] { send_probe(); });
    }
  }

  std::string timestamp() const {
    return options_.print_timestamps ? report::timestamp_prefix(now().wall) : std::string();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    send_timer_.cancel();
    exit_timer_.cancel();
    signals_.cancel();
    socket_.cancel();

    report::Summary summary;
    summary.name = target_.display_name;
    summary.stats = &stats_;
    summary.elapsed = stats_.transmitted() > 0
                          ? duration_cast<microseconds>(last_send_ - first_send_).count()
                          : 0;
    summary.timing = timing_;
    summary.show_ipg_ewma = options_.interval_seconds == 0.0;
    print(report::statistics_block(summary));

    const bool short_of_count =
        options_.deadline_seconds && options_.count && stats_.received() < *options_.count;
    exit_code_ = stats_.received() == 0 || short_of_count ? kExitNoReply : kExitOk;
  }

  asio::io_context& io_;
  net::IcmpSocket& socket_;
  SocketMode mode_;
  icmp::Family family_;
  std::uint16_t identifier_;
  const Target& target_;
  const Options& options_;
  bool timing_;
  Clock::duration interval_;

  asio::steady_timer send_timer_;
  asio::steady_timer exit_timer_;
  asio::signal_set signals_;
  PeerNamer namer_;

  Statistics stats_;
  ProbeTable table_;
  std::vector<std::uint8_t> request_;
  std::vector<std::uint8_t> payload_;
  std::vector<std::uint8_t> receive_buffer_;

  Clock::time_point start_;
  Clock::time_point next_send_;
  Clock::time_point first_send_;
  Clock::time_point last_send_;
  bool finished_ = false;
  int exit_code_ = kExitNoReply;
};

std::string socket_summary(const std::optional<net::OpenedSocket>& socket) {
  if (!socket) return "-1 (socktype: 0)";
  return fmt::format("{} (socktype: {})", socket->fd(), socket_mode_name(socket->mode()));
}

// iputils learns the source address with a connected UDP socket before the first probe; a
// missing route fails here as "connect: Network is unreachable", before anything is printed.
std::optional<std::string> check_route(const Target& target) {
  const int fd = ::socket(target.address.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;  // cannot tell; the probes will say
  SocketAddress probe = target.address;
  const std::uint16_t discard_port = htons(1025);
  if (probe.storage.ss_family == AF_INET)
    reinterpret_cast<sockaddr_in*>(&probe.storage)->sin_port = discard_port;
  else
    reinterpret_cast<sockaddr_in6*>(&probe.storage)->sin6_port = discard_port;
  std::optional<std::string> failure;
  if (::connect(fd, probe.get(), probe.length) != 0) failure = std::string("connect: ") + std::strerror(errno);
  ::close(fd);
  return failure;
}

}  // namespace

namespace {
int run_ping_unguarded(const Options& options);
}  // namespace

int run_ping(const Options& options) {
  try {
    return run_ping_unguarded(options);
  } catch (const OutputError& failure) {
    if (failure.error == EPIPE) {
      // The reader went away (`uping ... | head -1`) and SIGPIPE is ignored in this process:
      // end as quietly as the default SIGPIPE would have.
      std::signal(SIGPIPE, SIG_DFL);
      std::raise(SIGPIPE);
    }
    log::error(std::string("write error: ") + std::strerror(failure.error));
    return kExitError;
  }
}

namespace {

int run_ping_unguarded(const Options& options) {
  log::set_program_name(options.program_name);
  if (options.verbose) log::enable_verbose();

  std::vector<SocketAttempt> attempts;
  std::optional<net::OpenedSocket> socket4;
  std::optional<net::OpenedSocket> socket6;
  // Open before resolving and drop every capability right after, as iputils does: name
  // resolution and everything that follows run without privilege.
  if (options.family != icmp::Family::v6) socket4 = net::open_icmp_socket(icmp::Family::v4, attempts);
  if (options.family != icmp::Family::v4) socket6 = net::open_icmp_socket(icmp::Family::v6, attempts);
  if (!privileges::drop_all()) {
    log::error(std::string("cannot drop capabilities: ") + std::strerror(errno));
    return kExitError;
  }
  const std::string_view hints_family =
      !options.family ? "AF_UNSPEC" : family_name(*options.family);
  log::verbose(fmt::format("sock4.fd: {}, sock6.fd: {}, hints.ai_family: {}", socket_summary(socket4),
                           socket_summary(socket6), hints_family));

  const auto resolved = resolve_target(options.target, options.family);
  if (const auto* failure = std::get_if<ResolveError>(&resolved)) {
    log::error(failure->message);
    return kExitError;
  }
  const Target& target = std::get<Target>(resolved);
  const icmp::Family family = target.address.family();
  if (options.verbose) {
    print(fmt::format("ai->ai_family: {}, ai->ai_canonname: '{}'\n", family_name(family), target.display_name));
  }

  auto& chosen = family == icmp::Family::v4 ? socket4 : socket6;
  if (!chosen) {
    std::erase_if(attempts, [&](const SocketAttempt& attempt) { return attempt.family != family; });
    const auto facts = gather_permission_facts(std::move(attempts));
    const std::string text = explain_socket_failure(options.program_name, facts);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return kExitError;
  }

  net::SocketSettings settings;
  settings.ttl = options.ttl;
  if (!options.interface.empty()) {
    const auto as_address = resolve_target(options.interface, family);
    const auto* source = std::get_if<Target>(&as_address);
    if (source != nullptr && source->typed_as_address) settings.source = source->address;
    else settings.interface = options.interface;
  }
  std::string configure_error;
  const auto raw_identifier = static_cast<std::uint16_t>(getpid() & 0xffff);
  asio::io_context io(1);
  const SocketMode mode = chosen->mode();
  net::IcmpSocket socket = chosen->into_asio(io, family);
  const auto identifier = net::configure_socket(socket, family, mode, settings, raw_identifier, configure_error);
  if (!identifier) {
    log::error(configure_error);
    return kExitError;
  }
  if (const auto route_failure = check_route(target)) {
    log::error(*route_failure);
    return kExitError;
  }

  report::Header header;
  header.family = family;
  header.name = target.display_name;
  header.address = target.numeric;
  header.payload_size = options.payload_size;
  print(report::header_line(header));

  if (const auto violation = user_limit_violation(options, getuid() == 0)) {
    log::error(*violation);
    return kExitError;
  }

  Session session(io, socket, mode, *identifier, target, options);
  return session.run();
}

}  // namespace
}  // namespace uping
