#include "uping/prober.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <algorithm>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "wire/endpoint.hpp"

namespace uping {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kSequenceSpace = 65536;
// Datagrams taken per wake-up before the timers get a turn.
constexpr std::size_t kReceiveLimit = 1024;

// The address bytes of a socket address (4 for IPv4, 16 for IPv6), for compact comparison.
using HostBytes = std::array<std::uint8_t, 16>;

HostBytes host_bytes(const sockaddr_storage& storage) noexcept {
  HostBytes bytes{};
  if (storage.ss_family == AF_INET) {
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, 4);
  } else if (storage.ss_family == AF_INET6) {
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, 16);
  }
  return bytes;
}

// A slot is in flight from its send until a reply, an error or its timeout settles it; the other
// states are kept until the sequence is reused, so that a second reply is recognised as a duplicate.
enum class SlotState : std::uint8_t { free = 0, in_flight, answered, errored, expired };

// One sequence number of one socket. Trivial, so that a table can come from calloc: the kernel
// hands out zeroed pages lazily and a table costs memory only for the sequences used.
struct Slot {
  ProbeToken token;
  Instant sent;
  HostBytes destination;
  SlotState state;
};

struct SlotTableDeleter {
  void operator()(Slot* slots) const noexcept { std::free(slots); }
};

class ProberCore;

// One ICMP socket with its own identifier and sequence space. Sequences are used in ring order and
// every probe has the same timeout, so the oldest in-flight probe is always at the front of the
// window [oldest, next): expiry needs no queue of its own, and a sequence is free for reuse as
// soon as it has left the window, answered or not.
struct Channel final : net::EventSink {
  Channel(ProberCore& core, net::OpenedSocket socket, asio::io_context& io, icmp::Family family,
          std::uint16_t identifier, std::size_t payload_size)
      : owner(core),
        endpoint(io, std::move(socket), family, identifier, payload_size, net::batch_room_for(payload_size)),
        slots(static_cast<Slot*>(std::calloc(kSequenceSpace, sizeof(Slot)))) {
    if (!slots) throw std::bad_alloc();
  }
  ProberCore& owner;
  net::Endpoint endpoint;
  std::unique_ptr<Slot[], SlotTableDeleter> slots;
  std::uint16_t next_sequence = 0;
  std::uint16_t oldest = 0;
  std::size_t window = 0;           // sequences from `oldest` up to `next_sequence`

  // Moves the window's front past probes that are settled already.
  void skip_settled() noexcept {
    while (window > 0 && slots[oldest].state != SlotState::in_flight) {
      oldest = static_cast<std::uint16_t>(oldest + 1);
      --window;
    }
  }

  void on_reply(const net::WireReply& reply) override;
  void on_error(const net::WireError& error) override;
  bool wants_more() const override;
};

std::size_t family_index(icmp::Family family) { return family == icmp::Family::v4 ? 0 : 1; }

class ProberCore {
 public:
  ProberCore(asio::io_context& io, ProberSettings settings, ProberEvents events)
      : io_(io), settings_(settings), events_(std::move(events)), expiry_timer_(io), payload_(settings.payload_size) {
    icmp::fill_payload(payload_, {});
  }

  bool open(icmp::Family family, std::vector<SocketAttempt>& attempts) {
    auto opened = net::open_icmp_socket(family, attempts);
    if (!opened) return false;
    return add_channel(std::move(*opened), family);
  }

  std::optional<SocketMode> mode(icmp::Family family) const {
    const auto& list = channels_[family_index(family)];
    if (list.empty()) return std::nullopt;
    return list.front()->endpoint.mode();
  }

  Prober::SendResult send(const SocketAddress& to, ProbeToken token) {
    Channel* channel = channel_with_room(to.family());
    if (channel == nullptr) return Prober::SendResult::busy;
    const std::uint16_t sequence = channel->next_sequence;
    const Instant sent_at = net::read_clocks();
    const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(sent_at.wall).count();
    icmp::stamp_payload(payload_, wall_us / 1000000, wall_us % 1000000);

    auto outcome = channel->endpoint.send(to, sequence, payload_, *channel);
    // The failure was an earlier ICMP error's, now read from the queue: this request never left.
    if (outcome.error != 0 && outcome.queued_errors > 0) outcome = channel->endpoint.send(to, sequence, payload_, *channel);
    const int error = outcome.error;
    if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || error == ENOMEM)
      return Prober::SendResult::busy;
    if (error != 0) {
      // Nothing left: its sequence stays free and no timeout will follow.
      last_send_error_ = error;
      return Prober::SendResult::failed;
    }

    Slot& slot = channel->slots[sequence];
    slot.token = token;
    slot.sent = sent_at;
    slot.destination = host_bytes(to.storage);
    slot.state = SlotState::in_flight;
    ++channel->window;
    ++in_flight_;
    channel->next_sequence = static_cast<std::uint16_t>(sequence + 1);
    arm_expiry_timer(deadline_of(slot));
    return Prober::SendResult::sent;
  }

  std::size_t receive_now() {
    std::size_t handled = 0;
    for (auto& list : channels_) {
      for (std::size_t i = 0; i < list.size() && !stopped_; ++i) {
        const auto received = list[i]->endpoint.receive(*list[i], kReceiveLimit);
        handled += received.datagrams + received.queued_errors;
      }
    }
    return handled;
  }

  std::size_t sockets() const noexcept { return channels_[0].size() + channels_[1].size(); }

  std::uint64_t kernel_drops() const noexcept {
    std::uint64_t total = 0;
    for (const auto& list : channels_) {
      for (const auto& channel : list) total += channel->endpoint.kernel_drops();
    }
    return total;
  }

  int last_send_error() const noexcept { return last_send_error_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  bool stopped() const noexcept { return stopped_; }

  void stop() {
    stopped_ = true;
    expiry_timer_.cancel();
    for (auto& list : channels_) {
      for (auto& channel : list) channel->endpoint.cancel();
    }
  }

  // A reply to one of `channel`'s probes.
  void on_reply(Channel& channel, const net::WireReply& reply) {
    if (!reply.checksum_ok) return;
    Slot& slot = channel.slots[reply.header.sequence];
    // Only the host the probe went to can answer it: a datagram socket matches replies by
    // identifier alone, so a reply from elsewhere is forged or misrouted. A reply after the
    // timeout is not reported: the probe was counted as lost.
    if (slot.state == SlotState::free || slot.state == SlotState::expired ||
        slot.destination != host_bytes(reply.from->storage))
      return;
    const Instant received_at = net::read_clocks();
    ProbeReply event;
    event.token = slot.token;
    event.rtt = round_trip_micros(slot.sent, reply.kernel_time.value_or(received_at.wall), received_at.monotonic);
    event.ttl = reply.ttl;
    event.icmp_bytes = reply.icmp_bytes;
    // After an error a reply still counts as the first one, as in iputils.
    event.duplicate = slot.state == SlotState::answered;
    if (slot.state == SlotState::in_flight) --in_flight_;
    slot.state = SlotState::answered;
    if (events_.on_reply) events_.on_reply(event);
  }

  void on_error(Channel& channel, const net::WireError& error) {
    Slot& slot = channel.slots[error.sequence];
    if (slot.state != SlotState::in_flight || slot.destination != host_bytes(error.destination.storage)) return;
    slot.state = SlotState::errored;
    --in_flight_;
    if (events_.on_error)
      events_.on_error({slot.token, error.reporter, channel.endpoint.family(), error.type, error.code, error.info});
  }

 private:
  bool add_channel(net::OpenedSocket opened, icmp::Family family) {
    const SocketMode socket_mode = opened.mode();
    net::SocketSettings socket_settings;
    socket_settings.ttl = settings_.ttl;
    socket_settings.rcvbuf = settings_.receive_buffer_bytes.value_or(0);
    std::string error;
    auto& list = channels_[family_index(family)];
    // Raw sockets share the host's identifier space: give each its own, derived from the pid.
    const auto raw_identifier = static_cast<std::uint16_t>((getpid() + static_cast<int>(list.size())) & 0xffff);
    const auto identifier =
        net::configure_socket(opened.fd(), family, socket_mode, socket_settings, raw_identifier, error);
    if (!identifier) return false;
    list.push_back(std::make_unique<Channel>(*this, std::move(opened), io_, family, *identifier, settings_.payload_size));
    wait_for_packets(*list.back());
    return true;
  }

  // A channel of the family with a free sequence; opens another datagram socket when all are
  // full (raw sockets need privileges that are gone by then).
  Channel* channel_with_room(icmp::Family family) {
    auto& list = channels_[family_index(family)];
    for (auto& channel : list) {
      channel->skip_settled();
      if (channel->window < kSequenceSpace) return channel.get();
    }
    if (list.empty() || list.front()->endpoint.mode() != SocketMode::datagram ||
        list.size() >= settings_.max_sockets_per_family)
      return nullptr;
    std::vector<SocketAttempt> attempts;
    auto opened = net::open_icmp_socket(family, attempts);
    if (!opened || opened->mode() != SocketMode::datagram) return nullptr;
    if (!add_channel(std::move(*opened), family)) return nullptr;
    return list.back().get();
  }

  Clock::time_point deadline_of(const Slot& slot) const {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(slot.sent.monotonic + settings_.timeout));
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

  // Times out every probe whose deadline has passed, front of each window first, then sleeps
  // until the next deadline. Callbacks may send (and so open sockets): channels are walked by index.
  void expire_due() {
    const auto current = Clock::now();
    std::optional<Clock::time_point> next_due;
    for (auto& list : channels_) {
      for (std::size_t i = 0; i < list.size() && !stopped_; ++i) {
        Channel& channel = *list[i];
        for (channel.skip_settled(); channel.window > 0 && !stopped_; channel.skip_settled()) {
          Slot& slot = channel.slots[channel.oldest];
          const auto due = deadline_of(slot);
          if (due > current) {
            if (!next_due || due < *next_due) next_due = due;
            break;
          }
          slot.state = SlotState::expired;
          --in_flight_;
          if (events_.on_timeout) events_.on_timeout(slot.token);
        }
      }
    }
    if (next_due) arm_expiry_timer(*next_due);
  }

  void wait_for_packets(Channel& channel) {
    channel.endpoint.async_wait_readable([this, &channel](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      receive_then_wait(channel);
    });
  }

  void receive_then_wait(Channel& channel) {
    const auto received = channel.endpoint.receive(channel, kReceiveLimit);
    if (stopped_) return;
    // More may be waiting: give the timers a turn, then read on without waiting for an edge.
    if (!received.drained) asio::post(io_, [this, &channel] { if (!stopped_) receive_then_wait(channel); });
    else wait_for_packets(channel);
  }

  asio::io_context& io_;
  ProberSettings settings_;
  ProberEvents events_;
  std::array<std::vector<std::unique_ptr<Channel>>, 2> channels_;
  asio::steady_timer expiry_timer_;
  bool expiry_armed_ = false;
  Clock::time_point armed_at_;
  std::vector<std::uint8_t> payload_;
  std::size_t in_flight_ = 0;
  int last_send_error_ = 0;
  bool stopped_ = false;
};

void Channel::on_reply(const net::WireReply& reply) { owner.on_reply(*this, reply); }
void Channel::on_error(const net::WireError& error) { owner.on_error(*this, error); }
bool Channel::wants_more() const { return !owner.stopped(); }

}  // namespace

class Prober::Impl : public ProberCore {
 public:
  using ProberCore::ProberCore;
};

Prober::Prober(asio::io_context& io, ProberSettings settings, ProberEvents events)
    : impl_(std::make_unique<Impl>(io, settings, std::move(events))) {}
Prober::~Prober() = default;
bool Prober::open(icmp::Family family, std::vector<SocketAttempt>& attempts) { return impl_->open(family, attempts); }
std::optional<SocketMode> Prober::mode(icmp::Family family) const { return impl_->mode(family); }
Prober::SendResult Prober::send(const SocketAddress& to, ProbeToken token) { return impl_->send(to, token); }
int Prober::last_send_error() const noexcept { return impl_->last_send_error(); }
std::size_t Prober::in_flight() const noexcept { return impl_->in_flight(); }
std::size_t Prober::receive_now() { return impl_->receive_now(); }
std::size_t Prober::sockets() const noexcept { return impl_->sockets(); }
std::uint64_t Prober::kernel_drops() const noexcept { return impl_->kernel_drops(); }
void Prober::stop() { impl_->stop(); }

}  // namespace uping
