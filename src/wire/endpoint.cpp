#include "wire/endpoint.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace uping::net {
namespace {

// Error-queue entries read per call: bounds how long one call can hold the loop.
constexpr std::size_t kQueueBurst = 64;
// The part of our own request the error queue hands back that is read: its ICMP header. An ICMP
// error carries at most 576 bytes (RFC 1812).
constexpr std::size_t kQueuedPacketRoom = 576;
// What a raw IPv4 socket adds before an echo reply (the largest IPv4 header).
constexpr std::size_t kIpv4HeaderRoom = 60;
constexpr std::size_t kBatchBytes = 1 << 20;
constexpr std::size_t kMaxBatch = 64;

}  // namespace

bool Endpoint::SendOutcome::buffer_full() const noexcept {
  return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || error == ENOMEM;
}

ReceiveRoom batch_room_for(std::size_t payload_size) {
  const std::size_t room = std::max(kIpv4HeaderRoom + icmp::kHeaderSize + payload_size, kQueuedPacketRoom);
  return {room, std::clamp<std::size_t>(kBatchBytes / room, 1, kMaxBatch)};
}

ReceiveRoom whole_datagram_room() noexcept { return {kIpv4HeaderRoom + 65535, 1}; }

Endpoint::Endpoint(boost::asio::io_context& io, OpenedSocket socket, icmp::Family family, std::uint16_t identifier,
                   std::size_t payload_size, ReceiveRoom room)
    : socket_(socket.into_asio(io, family)),
      fd_(socket_.native_handle()),
      family_(family),
      mode_(socket.mode()),
      identifier_(identifier),
      request_(icmp::kHeaderSize + payload_size),
      batch_(room.batch, room.datagram_bytes) {}

void Endpoint::cancel() noexcept {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

Endpoint::SendOutcome Endpoint::send(const SocketAddress& to, std::uint16_t sequence, icmp::Bytes payload,
                                     EventSink& sink) {
  const std::size_t length = icmp::encode_echo_request(family_, {identifier_, sequence}, payload, request_,
                                                       checksum_by(mode_));
  SendOutcome outcome;
  if (::sendto(fd_, request_.data(), length, MSG_DONTWAIT, to.get(), to.length) >= 0) return outcome;
  outcome.error = errno;
  // A datagram socket reports an earlier ICMP error as the errno of its next call, and that call
  // did nothing: the error queue has the details (reading it clears the pending error).
  if (!outcome.buffer_full()) outcome.queued_errors = static_cast<int>(drain_error_queue(sink));
  return outcome;
}

Endpoint::Received Endpoint::receive(EventSink& sink, std::size_t limit) {
  Received received;
  bool ran_empty = false;
  if (limit == 0 || receiving_) return received;
  receiving_ = true;
  // Cleared however the receive ends (an event's handler may throw).
  struct Receiving {
    bool& flag;
    ~Receiving() { flag = false; }
  } receiving{receiving_};
  while (received.datagrams < limit && sink.wants_more()) {
    const std::size_t wanted = limit - received.datagrams;
    const int count = batch_.receive(fd_, wanted);
    if (count < 0) {
      // The errno of an ICMP error, reported once by a datagram socket: the queue has the details.
      const int error = errno;
      const std::size_t queued = drain_error_queue(sink);
      received.queued_errors += queued;
      if (queued == 0) {
        if (error != EINTR) sink.on_receive_error(error);
        received.drained = true;
        return received;
      }
      continue;
    }
    for (int i = 0; i < count && sink.wants_more(); ++i) {
      const auto index = static_cast<std::size_t>(i);
      dispatch(batch_.datagram(index), batch_.bytes(index), sink);
    }
    received.datagrams += static_cast<std::size_t>(count);
    if (static_cast<std::size_t>(count) < std::min(wanted, batch_.capacity())) {
      ran_empty = true;
      break;
    }
  }
  // A local error, or one queued behind the errno already taken, announces itself only by
  // waking the wait up: read the queue whenever the socket ran out of datagrams.
  if (ran_empty && sink.wants_more()) received.queued_errors += drain_error_queue(sink);
  received.drained = ran_empty;
  return received;
}

void Endpoint::dispatch(const Datagram& datagram, icmp::Bytes bytes, EventSink& sink) {
  if (datagram.kernel_drops) kernel_drops_ = *datagram.kernel_drops;
  const bool raw_ipv4 = mode_ == SocketMode::raw && family_ == icmp::Family::v4;
  const icmp::Message message = raw_ipv4 ? icmp::decode_ipv4_packet(bytes)
                                         : icmp::decode_icmp(family_, bytes, checksum_by(mode_));
  if (const auto* reply = std::get_if<icmp::EchoReply>(&message)) {
    // A raw socket sees every ICMP packet of the host: only our identifier is ours. A datagram
    // socket only ever receives replies to its own.
    if (mode_ == SocketMode::raw && reply->header.identifier != identifier_) return;
    WireReply event;
    event.header = reply->header;
    event.payload = reply->payload;
    event.icmp_bytes = reply->icmp_length;
    event.checksum_ok = reply->checksum_ok;
    event.ttl = reply->ttl ? std::optional<int>(*reply->ttl) : datagram.ttl;
    event.tos = raw_ipv4 ? std::optional<int>(bytes[1]) : datagram.tos;
    event.from = &datagram.from;
    event.kernel_time = datagram.kernel_time;
    if (raw_ipv4) {
      const std::size_t header_size = static_cast<std::size_t>(bytes[0] & 0x0FU) * 4;
      event.ip_options = bytes.subspan(icmp::kIpv4MinHeaderSize, header_size - icmp::kIpv4MinHeaderSize);
    } else {
      event.ip_options = datagram.ip_options;
    }
    sink.on_reply(event);
  } else if (const auto* error = std::get_if<icmp::ErrorReport>(&message)) {
    // Only a raw socket receives ICMP errors as packets; a datagram socket's come on its error queue.
    if (mode_ != SocketMode::raw || error->quoted.identifier != identifier_) return;
    WireError event;
    event.sequence = error->quoted.sequence;
    event.destination = address_of(family_, error->quoted_destination);
    event.reporter = datagram.from;
    event.type = error->type;
    event.code = error->code;
    event.info = error->info;
    sink.on_error(event);
  }
  // Malformed and unrelated messages are nobody's to report.
}

std::size_t Endpoint::drain_error_queue(EventSink& sink) {
  std::size_t handled = 0;
  std::array<std::uint8_t, kQueuedPacketRoom> packet;
  for (; handled < kQueueBurst && sink.wants_more(); ++handled) {
    QueuedError queued;
    if (receive_queued_error(fd_, packet, queued) != ReceiveStatus::received) break;
    if (queued.origin == kOriginLocal) {
      sink.on_local_error({queued.error, queued.info});
      continue;
    }
    const bool icmp_origin = queued.origin == kOriginIcmp || queued.origin == kOriginIcmp6;
    // On a raw socket the same error also arrives as a packet, which is where it is handed up.
    if (!icmp_origin || mode_ == SocketMode::raw) continue;
    const icmp::Bytes original(packet.data(), std::min(queued.length, packet.size()));
    const auto request = icmp::decode_echo_request(family_, original);
    if (!request) continue;
    WireError event;
    event.sequence = request->sequence;
    event.destination = queued.destination;
    event.reporter = queued.offender.value_or(queued.destination);
    event.type = queued.type;
    event.code = queued.code;
    event.info = queued.info;
    sink.on_error(event);
  }
  return handled;
}

}  // namespace uping::net
