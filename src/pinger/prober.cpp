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
#include <boost/asio/steady_timer.hpp>

#include "wire/socket.hpp"

namespace uping {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kSequenceSpace = 65536;
constexpr std::size_t kReceiveBurst = 64;  // datagrams per recvmmsg
// What a raw IPv4 socket adds before an echo reply (the largest IPv4 header), and what an ICMP
// error carries at most (RFC 1812: 576 bytes in all).
constexpr std::size_t kIpv4HeaderRoom = 60;
constexpr std::size_t kIcmpErrorRoom = 576;
constexpr std::size_t kBatchBytes = 1 << 20;  // caps the receive batch for large payloads

// Room for one datagram of a batch: a reply to our request, or an ICMP error about one.
std::size_t datagram_room(std::size_t payload_size) {
  return std::max(kIpv4HeaderRoom + icmp::kHeaderSize + payload_size, kIcmpErrorRoom);
}

std::size_t batch_capacity(std::size_t payload_size) {
  return std::clamp<std::size_t>(kBatchBytes / datagram_room(payload_size), 1, kReceiveBurst);
}

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

// One ICMP socket with its own identifier and sequence space. Sequences are used in ring order and
// every probe has the same timeout, so the oldest in-flight probe is always at the front of the
// window [oldest, next): expiry needs no queue of its own, and a sequence is free for reuse as
// soon as it has left the window, answered or not.
struct Channel {
  Channel(net::IcmpSocket s, icmp::Family f, SocketMode m, std::uint16_t id)
      : socket(std::move(s)), family(f), mode(m), identifier(id),
        slots(static_cast<Slot*>(std::calloc(kSequenceSpace, sizeof(Slot)))) {
    if (!slots) throw std::bad_alloc();
  }
  net::IcmpSocket socket;
  icmp::Family family;
  SocketMode mode;
  std::uint16_t identifier;
  std::unique_ptr<Slot[], SlotTableDeleter> slots;
  std::uint16_t next_sequence = 0;
  std::uint16_t oldest = 0;
  std::size_t window = 0;           // sequences from `oldest` up to `next_sequence`
  std::uint32_t kernel_drops = 0;   // SO_RXQ_OVFL's running count

  // Moves the window's front past probes that are settled already.
  void skip_settled() noexcept {
    while (window > 0 && slots[oldest].state != SlotState::in_flight) {
      oldest = static_cast<std::uint16_t>(oldest + 1);
      --window;
    }
  }
};

std::size_t family_index(icmp::Family family) { return family == icmp::Family::v4 ? 0 : 1; }

}  // namespace

class Prober::Impl {
 public:
  Impl(asio::io_context& io, ProberSettings settings, ProberEvents events)
      : io_(io),
        settings_(settings),
        events_(std::move(events)),
        expiry_timer_(io),
        payload_(settings.payload_size),
        request_(icmp::kHeaderSize + settings.payload_size),
        batch_capacity_(batch_capacity(settings.payload_size)),
        batch_(batch_capacity_, datagram_room(settings.payload_size)) {
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
    return list.front()->mode;
  }

  Prober::SendResult send(const SocketAddress& to, ProbeToken token) {
    Channel* channel = channel_with_room(to.family());
    if (channel == nullptr) return Prober::SendResult::busy;
    const std::uint16_t sequence = channel->next_sequence;
    const Instant sent_at = net::read_clocks();
    const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(sent_at.wall).count();
    icmp::stamp_payload(payload_, wall_us / 1000000, wall_us % 1000000);
    const std::size_t length =
        icmp::encode_echo_request(channel->family, {channel->identifier, sequence}, payload_, request_,
                                  net::checksum_by(channel->mode));

    int error = transmit(*channel, to, length);
    if (error != 0 && error != EAGAIN && error != ENOBUFS) {
      // A datagram socket reports an earlier ICMP error on the next send, which then did not
      // leave: read the error queue (it clears that state) and send again once.
      drain_error_queue(*channel);
      error = transmit(*channel, to, length);
    }
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
      for (std::size_t i = 0; i < list.size() && !stopped_; ++i) handled += drain(*list[i]);
    }
    return handled;
  }

  std::size_t sockets() const noexcept { return channels_[0].size() + channels_[1].size(); }

  std::uint64_t kernel_drops() const noexcept {
    std::uint64_t total = 0;
    for (const auto& list : channels_) {
      for (const auto& channel : list) total += channel->kernel_drops;
    }
    return total;
  }

  int last_send_error() const noexcept { return last_send_error_; }
  std::size_t in_flight() const noexcept { return in_flight_; }

  void stop() {
    stopped_ = true;
    expiry_timer_.cancel();
    for (auto& list : channels_) {
      for (auto& channel : list) channel->socket.cancel();
    }
  }

 private:
  bool add_channel(net::OpenedSocket opened, icmp::Family family) {
    const SocketMode socket_mode = opened.mode();
    net::IcmpSocket socket = opened.into_asio(io_, family);
    net::SocketSettings socket_settings;
    socket_settings.ttl = settings_.ttl;
    socket_settings.rcvbuf = settings_.receive_buffer_bytes.value_or(0);
    std::string error;
    auto& list = channels_[family_index(family)];
    // Raw sockets share the host's identifier space: give each its own, derived from the pid.
    const auto raw_identifier = static_cast<std::uint16_t>((getpid() + static_cast<int>(list.size())) & 0xffff);
    const auto identifier = net::configure_socket(socket, family, socket_mode, socket_settings, raw_identifier, error);
    if (!identifier) return false;
    list.push_back(std::make_unique<Channel>(std::move(socket), family, socket_mode, *identifier));
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
    if (list.empty() || list.front()->mode != SocketMode::datagram ||
        list.size() >= settings_.max_sockets_per_family)
      return nullptr;
    std::vector<SocketAttempt> attempts;
    auto opened = net::open_icmp_socket(family, attempts);
    if (!opened || opened->mode() != SocketMode::datagram) return nullptr;
    if (!add_channel(std::move(*opened), family)) return nullptr;
    return list.back().get();
  }

  int transmit(Channel& channel, const SocketAddress& to, std::size_t length) {
    const ssize_t sent = ::sendto(channel.socket.native_handle(), request_.data(), length,
                                  MSG_DONTWAIT, to.get(), to.length);
    return sent < 0 ? errno : 0;
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
    channel.socket.async_wait(net::IcmpSocket::wait_read, [this, &channel](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      drain(channel);
      if (!stopped_) wait_for_packets(channel);
    });
  }

  std::size_t drain(Channel& channel) {
    std::size_t handled = 0;
    while (!stopped_) {
      const int received = batch_.receive(channel.socket.native_handle());
      if (received < 0) {
        // The errno of an ICMP error, reported once: the error queue has the details.
        const int errors = drain_error_queue(channel);
        handled += static_cast<std::size_t>(errors);
        if (errors == 0) break;
        continue;
      }
      for (int i = 0; i < received && !stopped_; ++i) {
        const auto index = static_cast<std::size_t>(i);
        handle_datagram(channel, batch_.datagram(index), batch_.bytes(index));
      }
      handled += static_cast<std::size_t>(received);
      if (static_cast<std::size_t>(received) < batch_capacity_) break;
    }
    if (!stopped_) handled += static_cast<std::size_t>(drain_error_queue(channel));
    return handled;
  }

  void handle_datagram(Channel& channel, const net::Datagram& datagram, icmp::Bytes bytes) {
    if (datagram.kernel_drops) channel.kernel_drops = *datagram.kernel_drops;
    const bool raw_ipv4 = channel.mode == SocketMode::raw && channel.family == icmp::Family::v4;
    const icmp::Message message = raw_ipv4 ? icmp::decode_ipv4_packet(bytes)
                                           : icmp::decode_icmp(channel.family, bytes, net::checksum_by(channel.mode));

    if (const auto* reply = std::get_if<icmp::EchoReply>(&message)) {
      if (channel.mode == SocketMode::raw && reply->header.identifier != channel.identifier) return;
      if (!reply->checksum_ok) return;
      Slot& slot = channel.slots[reply->header.sequence];
      // Only the host the probe went to can answer it: a datagram socket matches replies by
      // identifier alone, so a reply from elsewhere is forged or misrouted. A reply after the
      // timeout is not reported: the probe was counted as lost.
      if (slot.state == SlotState::free || slot.state == SlotState::expired ||
          slot.destination != host_bytes(datagram.from.storage))
        return;
      const Instant received_at = net::read_clocks();
      ProbeReply event;
      event.token = slot.token;
      event.rtt = round_trip_micros(slot.sent, datagram.kernel_time.value_or(received_at.wall), received_at.monotonic);
      event.ttl = reply->ttl ? std::optional<int>(*reply->ttl) : datagram.ttl;
      event.icmp_bytes = reply->icmp_length;
      // After an error a reply still counts as the first one, as in iputils.
      event.duplicate = slot.state == SlotState::answered;
      if (slot.state == SlotState::in_flight) --in_flight_;
      slot.state = SlotState::answered;
      if (events_.on_reply) events_.on_reply(event);
    } else if (const auto* error = std::get_if<icmp::ErrorReport>(&message)) {
      if (channel.mode != SocketMode::raw || error->quoted.identifier != channel.identifier) return;
      HostBytes quoted{};
      std::memcpy(quoted.data(), error->quoted_destination.data(), quoted.size());
      report_error(channel, error->quoted.sequence, quoted, datagram.from, error->type, error->code, error->info);
    }
  }

  void report_error(Channel& channel, std::uint16_t sequence, const HostBytes& destination,
                    const SocketAddress& from, std::uint8_t type, std::uint8_t code, std::uint32_t info) {
    Slot& slot = channel.slots[sequence];
    if (slot.state != SlotState::in_flight || slot.destination != destination) return;
    slot.state = SlotState::errored;
    --in_flight_;
    if (events_.on_error) events_.on_error({slot.token, from, channel.family, type, code, info});
  }

  int drain_error_queue(Channel& channel) {
    int handled = 0;
    for (std::size_t i = 0; i < kReceiveBurst && !stopped_; ++i) {
      net::QueuedError queued;
      if (net::receive_queued_error(channel.socket.native_handle(), receive_buffer_, queued) !=
          net::ReceiveStatus::received)
        break;
      ++handled;
      const bool icmp_origin = queued.origin == net::kOriginIcmp || queued.origin == net::kOriginIcmp6;
      // On a raw socket the same error also arrives as a packet, which is where it is handled.
      if (!icmp_origin || channel.mode == SocketMode::raw) continue;
      const icmp::Bytes original(receive_buffer_.data(), std::min(queued.length, receive_buffer_.size()));
      const auto request = icmp::decode_echo_request(channel.family, original);
      if (!request) continue;
      report_error(channel, request->sequence, host_bytes(queued.destination.storage),
                   queued.offender.value_or(queued.destination), queued.type, queued.code, queued.info);
    }
    return handled;
  }

  asio::io_context& io_;
  ProberSettings settings_;
  ProberEvents events_;
  std::array<std::vector<std::unique_ptr<Channel>>, 2> channels_;
  asio::steady_timer expiry_timer_;
  bool expiry_armed_ = false;
  Clock::time_point armed_at_;
  std::vector<std::uint8_t> payload_;
  std::vector<std::uint8_t> request_;
  net::ReceiveBuffer receive_buffer_;  // for the error queue
  std::size_t batch_capacity_;
  net::DatagramBatch batch_;
  std::size_t in_flight_ = 0;
  int last_send_error_ = 0;
  bool stopped_ = false;
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
