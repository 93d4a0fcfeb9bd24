#pragma once
// Private to the Pinger: one ICMP socket with its identifier, sequence space and the record of
// each sequence's probe.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "uping/pinger.hpp"
#include "wire/endpoint.hpp"

namespace uping::pinger {

inline constexpr std::size_t kSequenceSpace = 65536;

// A slot is in flight from its send until a reply, an error or its timeout settles it; the other
// states are kept until the sequence is reused, so that a second reply is recognised as a duplicate.
enum class SlotState : std::uint8_t { free = 0, in_flight, answered, errored, expired };

// One sequence number of one socket. Trivial, so that a table can come from calloc: the kernel
// hands out zeroed pages lazily and a table costs memory only for the sequences used.
struct Slot {
  ProbeToken token;
  Instant sent;
  HostBytes destination;
  std::uint32_t stamp;  // which send of this sequence is in flight (see DeadlineQueue)
  SlotState state;
};

struct SlotTableDeleter {
  void operator()(Slot* slots) const noexcept { std::free(slots); }
};

class PingerCore;

// Sequences are handed out in ring order, skipping those still in flight (a probe with a long
// timeout holds its sequence while shorter ones come and go): a settled sequence is reused as
// late as possible, so that a duplicate is recognised for as long as possible.
struct Channel final : net::EventSink {
  Channel(PingerCore& core, net::OpenedSocket socket, boost::asio::io_context& io, icmp::Family family,
          std::uint16_t identifier, std::size_t payload_size, std::uint16_t position)
      : owner(core),
        endpoint(io, std::move(socket), family, identifier, payload_size, net::batch_room_for(payload_size)),
        slots(static_cast<Slot*>(std::calloc(kSequenceSpace, sizeof(Slot)))),
        index(position) {
    if (!slots) throw std::bad_alloc();
  }
  PingerCore& owner;
  net::Endpoint endpoint;
  std::unique_ptr<Slot[], SlotTableDeleter> slots;
  const std::uint16_t index;
  std::uint16_t next_sequence = 0;  // where the search for a free sequence starts
  std::size_t in_flight = 0;

  bool full() const noexcept { return in_flight >= kSequenceSpace; }

  // The next sequence not in flight, from next_sequence on; the channel must not be full.
  std::uint16_t free_sequence() const noexcept {
    std::uint16_t sequence = next_sequence;
    while (slots[sequence].state == SlotState::in_flight) sequence = static_cast<std::uint16_t>(sequence + 1);
    return sequence;
  }

  void on_reply(const net::WireReply& reply) override;
  void on_error(const net::WireError& error) override;
  bool wants_more() const override;
};

}  // namespace uping::pinger
