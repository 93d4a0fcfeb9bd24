#include "uping/pinger.hpp"

#include <unistd.h>

#include <cerrno>
#include <limits>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pinger/channel.hpp"
#include "pinger/deadlines.hpp"
#include "wire/endpoint.hpp"

namespace uping::pinger {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Sends tried again after an error queue that explained the failure (each read takes 64 entries).
constexpr int kSendRetries = 8;

// Raw sockets share the host's identifier space: every one this process opens gets its own, the
// first derived from the pid (distinct Pingers, or two blocking calls at once, never share one).
std::uint16_t next_raw_identifier() {
  static std::atomic<std::uint16_t> next{static_cast<std::uint16_t>(getpid() & 0xffff)};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// Datagrams taken per wake-up before the timers get a turn.
constexpr std::size_t kReceiveLimit = 1024;

std::size_t family_index(icmp::Family family) { return family == icmp::Family::v4 ? 0 : 1; }

class PingerCore {
  // Whether a deadline entry is the probe in flight now, not one settled before.
  struct IsLive {
    const PingerCore* core;
    bool operator()(const Deadline& entry) const noexcept {
      const Slot& slot = core->channels_[entry.channel]->slots[entry.sequence];
      return slot.state == SlotState::in_flight && slot.stamp == entry.stamp;
    }
  };
  IsLive live() const noexcept { return {this}; }

 public:
  PingerCore(asio::io_context& io, PingerSettings settings, PingerHandlers handlers)
      : io_(io),
        settings_(settings),
        handlers_(std::move(handlers)),
        expiry_timer_(io),
        payload_(settings.payload_size) {
    icmp::fill_payload(payload_, settings_.payload_pattern);
  }

  OpenResult open(icmp::Family family) {
    OpenResult result;
    if (auto current = mode(family)) {
      result.mode = current;
      return result;
    }
    auto opened = net::open_icmp_socket(family, result.attempts);
    if (opened && add_channel(std::move(*opened), family, &result)) result.mode = mode(family);
    return result;
  }

  std::optional<SocketMode> mode(icmp::Family family) const {
    const auto& list = families_[family_index(family)];
    if (list.empty()) return std::nullopt;
    return channels_[list.front()]->endpoint.mode();
  }

  SendResult send(const SocketAddress& to, ProbeToken token, std::chrono::nanoseconds timeout) {
    // A handler's send inside a send would take the sequence the outer one is about to use.
    if (sending_ || stopped_) return {SendStatus::busy, 0};
    if (families_[family_index(to.family())].empty()) return fail(to, token, EAFNOSUPPORT);
    Channel* channel = channel_with_room(to.family());
    if (channel == nullptr) return {SendStatus::busy, 0};
    // Cleared however send() ends (a handler inside may throw).
    struct Sending {
      bool& flag;
      explicit Sending(bool& f) : flag(f) { flag = true; }
      ~Sending() { flag = false; }
    };
    std::optional<Sending> sending(std::in_place, sending_);
    const std::uint16_t sequence = channel->free_sequence();
    const Instant sent_at = net::read_clocks();
    const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(sent_at.wall).count();
    icmp::stamp_payload(payload_, wall_us / 1000000, wall_us % 1000000);

    auto outcome = channel->endpoint.send(to, sequence, payload_, *channel);
    // The failure was an earlier ICMP error's, now read from the queue: this request never left.
    // More than one burst of queued errors can stand between it and a send that goes out.
    for (int retry = 0; retry < kSendRetries && outcome.error != 0 && outcome.queued_errors > 0 && !stopped_; ++retry)
      outcome = channel->endpoint.send(to, sequence, payload_, *channel);
    if (stopped_ && outcome.error != 0) return {SendStatus::busy, 0};
    sending.reset();
    if (outcome.buffer_full()) return {SendStatus::busy, outcome.error};
    // Nothing left: its sequence stays free and no timeout will follow.
    if (outcome.error != 0) return fail(to, token, outcome.error);

    Slot& slot = channel->slots[sequence];
    slot.token = token;
    slot.sent = sent_at;
    slot.destination = host_bytes(to);
    slot.stamp = ++stamps_;
    slot.state = SlotState::in_flight;
    ++channel->in_flight;
    ++in_flight_;
    channel->next_sequence = static_cast<std::uint16_t>(sequence + 1);
    const auto due = deadline_after(sent_at.monotonic, timeout);
    deadlines_.push({due, slot.stamp, channel->index, sequence});
    deadlines_.compact_if_sparse(in_flight_, live());
    arm_expiry_timer(due);
    return {SendStatus::sent, 0};
  }

  std::size_t receive_now() {
    std::size_t handled = 0;
    for (std::size_t i = 0; i < channels_.size() && !stopped_; ++i) {
      // A socket with nothing in flight has no reply or error worth reading now (strays and late
      // duplicates wait for the event loop): two system calls saved per idle socket and call.
      if (channels_[i]->in_flight == 0) continue;
      const auto received = channels_[i]->endpoint.receive(*channels_[i], kReceiveLimit);
      handled += received.datagrams + received.queued_errors;
    }
    return handled;
  }

  std::size_t sockets() const noexcept { return channels_.size(); }

  std::uint64_t kernel_drops() const noexcept {
    std::uint64_t total = 0;
    for (const auto& channel : channels_) total += channel->endpoint.kernel_drops();
    return total;
  }

  std::size_t in_flight() const noexcept { return in_flight_; }
  bool stopped() const noexcept { return stopped_; }

  void stop() {
    stopped_ = true;
    expiry_timer_.cancel();
    for (auto& channel : channels_) channel->endpoint.cancel();
  }

  // A reply to one of `channel`'s probes.
  void on_reply(Channel& channel, const net::WireReply& reply) {
    if (!reply.checksum_ok) return;
    Slot& slot = channel.slots[reply.header.sequence];
    // Only the host the probe went to can answer it: a datagram socket matches replies by
    // identifier alone, so a reply from elsewhere is forged or misrouted. A reply after the
    // timeout is not reported: the probe was counted as lost.
    if (slot.state == SlotState::free || slot.state == SlotState::expired ||
        slot.destination != host_bytes(*reply.from))
      return;
    const Instant received_at = net::read_clocks();
    Reply event;
    event.token = slot.token;
    event.from = *reply.from;
    event.rtt = round_trip_micros(slot.sent, reply.kernel_time.value_or(received_at.wall), received_at.monotonic);
    event.ttl = reply.ttl;
    if (settings_.receive_tos) event.tos = reply.tos;
    event.icmp_bytes = reply.icmp_bytes;
    // After an error a reply still counts as the first one, as in iputils.
    event.duplicate = slot.state == SlotState::answered;
    event.after_error = slot.state == SlotState::errored;
    settle(channel, slot, SlotState::answered);
    const auto& handler = event.duplicate ? handlers_.on_duplicate : handlers_.on_reply;
    if (handler) handler(event);
  }

  void on_error(Channel& channel, const net::WireError& error) {
    Slot& slot = channel.slots[error.sequence];
    if (slot.state != SlotState::in_flight || slot.destination != host_bytes(error.destination)) return;
    settle(channel, slot, SlotState::errored);
    if (handlers_.on_icmp_error) {
      handlers_.on_icmp_error({slot.token, error.reporter, error.destination, channel.endpoint.family(), error.type,
                               error.code, error.info});
    }
  }

 private:
  void settle(Channel& channel, Slot& slot, SlotState state) noexcept {
    if (slot.state == SlotState::in_flight) {
      --channel.in_flight;
      --in_flight_;
    }
    slot.state = state;
  }

  SendResult fail(const SocketAddress& to, ProbeToken token, int error) {
    if (handlers_.on_send_failure) {
      // Posted, never called inside send(): the caller learns it from the result first.
      asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), failure = SendFailure{token, to, error}] {
        if (!alive.expired() && !stopped_ && handlers_.on_send_failure) handlers_.on_send_failure(failure);
      });
    }
    return {SendStatus::failed, error};
  }

  // `result`, for the family's first socket: why the settings could not be applied.
  bool add_channel(net::OpenedSocket opened, icmp::Family family, OpenResult* result = nullptr) {
    if (channels_.size() > std::numeric_limits<std::uint16_t>::max()) return false;
    const SocketMode socket_mode = opened.mode();
    const net::SocketSettings socket_settings = wire_settings(family);
    std::string error;
    net::ConfigureFailure failure;
    auto& list = families_[family_index(family)];
    const auto raw_identifier = next_raw_identifier();
    const auto identifier = net::configure_socket(opened.fd(), family, socket_mode, socket_settings, raw_identifier,
                                                  error, &failure);
    if (!identifier) {
      if (result != nullptr) {
        result->error = error;
        result->failure = failure.step == net::ConfigureStep::interface ? OpenFailure::interface
                          : failure.step == net::ConfigureStep::bind    ? OpenFailure::bind
                                                                        : OpenFailure::socket_option;
        result->error_number = failure.error_number;
      }
      return false;
    }
    if (settings_.mark) {
      const int mark_error = net::set_mark(opened.fd(), *settings_.mark);
      if (result != nullptr) result->mark_error = mark_error;
    }
    const auto index = static_cast<std::uint16_t>(channels_.size());
    try {
      channels_.push_back(
          std::make_unique<Channel>(*this, std::move(opened), io_, family, *identifier, settings_.payload_size, index));
    } catch (const boost::system::system_error&) {
      return false;  // the event loop refused the socket (epoll's limits): no socket, as documented
    }
    list.push_back(index);
    wait_for_packets(*channels_.back());
    return true;
  }

  net::SocketSettings wire_settings(icmp::Family family) const {
    net::SocketSettings wire;
    wire.ttl = settings_.ttl;
    wire.rcvbuf = settings_.receive_buffer_bytes.value_or(0);
    wire.tos = settings_.tos;
    wire.interface = settings_.interface;
    wire.source = family == icmp::Family::v4 ? settings_.source_v4 : settings_.source_v6;
    if (settings_.dont_fragment) wire.pmtu = family == icmp::Family::v4 ? IP_PMTUDISC_DO : IPV6_PMTUDISC_DO;
    wire.receive_tos = settings_.receive_tos;
    return wire;
  }

  // A channel of the family with a free sequence; opens another datagram socket when all are
  // full (raw sockets need privileges that are gone by then).
  Channel* channel_with_room(icmp::Family family) {
    auto& list = families_[family_index(family)];
    for (const std::uint16_t index : list) {
      if (!channels_[index]->full()) return channels_[index].get();
    }
    if (list.empty() || channels_[list.front()]->endpoint.mode() != SocketMode::datagram ||
        list.size() >= settings_.max_sockets_per_family)
      return nullptr;
    std::vector<SocketAttempt> attempts;
    auto opened = net::open_icmp_socket(family, attempts);
    if (!opened || opened->mode() != SocketMode::datagram) return nullptr;
    if (!add_channel(std::move(*opened), family)) return nullptr;
    return channels_.back().get();
  }

  // Wakes up at `at` unless a wake-up is due earlier already.
  void arm_expiry_timer(Clock::time_point at) {
    if (stopped_ || (expiry_armed_ && armed_at_ <= at)) return;
    expiry_armed_ = true;
    armed_at_ = at;
    expiry_timer_.expires_at(at);  // cancels a later wait
    expiry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted) return;  // replaced by an earlier wait, or stopped
      expiry_armed_ = false;
      if (ec || stopped_) return;
      expire_due();
    });
  }

  // Times out every probe whose deadline has passed, earliest first, then sleeps until the next
  // deadline. Handlers may send (and so add deadlines and sockets).
  void expire_due() {
    const auto current = Clock::now();
    while (!stopped_) {
      const auto next = deadlines_.earliest(live());
      if (!next) return;
      if (next->at > current) {
        arm_expiry_timer(next->at);
        return;
      }
      deadlines_.pop();
      Channel& channel = *channels_[next->channel];
      Slot& slot = channel.slots[next->sequence];
      settle(channel, slot, SlotState::expired);
      if (!handlers_.on_timeout) continue;
      try {
        handlers_.on_timeout({slot.token, address_of(channel.endpoint.family(), slot.destination)});
      } catch (...) {
        // The handler's exception goes to the caller of run(); the other probes still time out.
        if (const auto after = deadlines_.earliest(live())) arm_expiry_timer(after->at);
        throw;
      }
    }
  }

  void wait_for_packets(Channel& channel) {
    channel.endpoint.async_wait_readable([this, &channel](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      receive_then_wait(channel);
    });
  }

  void receive_then_wait(Channel& channel) {
    net::Endpoint::Received received;
    try {
      received = channel.endpoint.receive(channel, kReceiveLimit);
    } catch (...) {
      // A handler threw: its exception goes to the caller of run(), and the socket is read on.
      if (!stopped_) read_on(channel, false);
      throw;
    }
    if (!stopped_) read_on(channel, received.drained);
  }

  void read_on(Channel& channel, bool drained) {
    // More may be waiting: give the timers a turn, then read on without waiting for an edge.
    if (!drained) {
      asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), &channel] {
        if (!alive.expired() && !stopped_) receive_then_wait(channel);
      });
    } else {
      wait_for_packets(channel);
    }
  }

  asio::io_context& io_;
  PingerSettings settings_;
  PingerHandlers handlers_;
  std::vector<std::unique_ptr<Channel>> channels_;      // both families; a Deadline names its index
  std::array<std::vector<std::uint16_t>, 2> families_;  // indexes of each family's channels
  DeadlineQueue deadlines_;
  std::uint32_t stamps_ = 0;
  asio::steady_timer expiry_timer_;
  bool expiry_armed_ = false;
  Clock::time_point armed_at_;
  std::vector<std::uint8_t> payload_;
  std::size_t in_flight_ = 0;
  bool sending_ = false;
  bool stopped_ = false;
  // Work posted to the io_context checks it: the Pinger may be gone when it runs.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

void Channel::on_reply(const net::WireReply& reply) { owner.on_reply(*this, reply); }
void Channel::on_error(const net::WireError& error) { owner.on_error(*this, error); }
bool Channel::wants_more() const { return !owner.stopped(); }

}  // namespace uping::pinger

namespace uping {

class Pinger::Impl : public pinger::PingerCore {
 public:
  using PingerCore::PingerCore;
  std::chrono::nanoseconds timeout;
};

Pinger::Pinger(boost::asio::io_context& io, PingerSettings settings, PingerHandlers handlers)
    : impl_(std::make_unique<Impl>(io, settings, std::move(handlers))) {
  impl_->timeout = settings.timeout;
}
Pinger::~Pinger() = default;
OpenResult Pinger::open(icmp::Family family) { return impl_->open(family); }
std::optional<SocketMode> Pinger::mode(icmp::Family family) const { return impl_->mode(family); }
SendResult Pinger::send(const SocketAddress& to, ProbeToken token) { return impl_->send(to, token, impl_->timeout); }
SendResult Pinger::send(const SocketAddress& to, ProbeToken token, std::chrono::nanoseconds timeout) {
  return impl_->send(to, token, timeout);
}
std::size_t Pinger::in_flight() const noexcept { return impl_->in_flight(); }
std::size_t Pinger::receive_now() { return impl_->receive_now(); }
std::size_t Pinger::sockets() const noexcept { return impl_->sockets(); }
std::uint64_t Pinger::kernel_drops() const noexcept { return impl_->kernel_drops(); }
void Pinger::stop() { impl_->stop(); }

}  // namespace uping
