// Harness for everything a received packet goes through: the decoders (datagram and raw ICMPv6
// view, raw IPv4 view, the error queue's echo-request view), the payload comparison and the
// reply / error lines printed from the decoded fields. The same bytes are fed to every decoder:
// a hostile network chooses what arrives, not which decoder reads it.

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/report.hpp"
#include "fuzz_target.hpp"
#include "uping/icmp.hpp"

namespace {

using uping::icmp::Bytes;
using uping::icmp::Family;
namespace icmp = uping::icmp;
namespace report = uping::report;

bool lies_within(Bytes inner, Bytes outer) {
  // std::less gives a total order on pointers, even when they point into different objects.
  const std::less<const std::uint8_t*> before;
  return !before(inner.data(), outer.data()) && !before(outer.data() + outer.size(), inner.data() + inner.size());
}

std::int64_t load_native_i64(Bytes bytes) {
  std::int64_t value = 0;
  std::memcpy(&value, bytes.data(), std::min(bytes.size(), sizeof value));
  return value;
}

// The address text the engine would print; here the quoted destination stands in for the
// sender, which comes from the socket rather than from the packet.
std::string address_text(Family family, const std::array<std::uint8_t, 16>& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const int domain = family == Family::v4 ? AF_INET : AF_INET6;
  UPING_FUZZ_CHECK(inet_ntop(domain, address.data(), text.data(), text.size()) != nullptr);
  return text.data();
}

// What the engine's clocks may produce: round_trip_micros yields 0 up to a nanosecond count
// converted to microseconds; the packet only chooses where in that range.
uping::Micros plausible_round_trip(Bytes payload) {
  constexpr auto kLargest = std::numeric_limits<std::int64_t>::max() / 1000;
  const auto raw = load_native_i64(payload);
  return raw < 0 ? 0 : raw % (kLargest + 1);
}

void check_payload_comparison(Bytes sent, Bytes received) {
  const auto mismatch = icmp::compare_payload(sent, received);
  if (!mismatch) return;
  UPING_FUZZ_CHECK(mismatch->offset < sent.size() && mismatch->offset < received.size());
  // The timestamp area of a payload that has one is never compared.
  UPING_FUZZ_CHECK(sent.size() < icmp::kTimestampSize || mismatch->offset >= icmp::kTimestampSize);
  UPING_FUZZ_CHECK(mismatch->expected == sent[mismatch->offset]);
  UPING_FUZZ_CHECK(mismatch->actual == received[mismatch->offset]);
  UPING_FUZZ_CHECK(mismatch->expected != mismatch->actual);
}

void exercise_reply(Family family, const icmp::EchoReply& reply, Bytes packet) {
  UPING_FUZZ_CHECK(lies_within(reply.payload, packet));
  UPING_FUZZ_CHECK(reply.icmp_length == icmp::kHeaderSize + reply.payload.size());
  if (family == Family::v6) UPING_FUZZ_CHECK(reply.checksum_ok);

  // Compare against what uping would have sent: the same length (the usual case), and a
  // shorter and a longer one (a peer that trimmed or padded the payload).
  const std::size_t received_size = reply.payload.size();
  for (const std::size_t sent_size : {received_size, received_size / 2, received_size + 3}) {
    std::vector<std::uint8_t> sent(sent_size);
    icmp::fill_payload(sent, {});
    icmp::stamp_payload(sent, 1'700'000'000, 123'456);
    check_payload_comparison(sent, reply.payload);
  }
  const std::array<std::uint8_t, 3> pattern = {0xde, 0xad, 0x42};
  std::vector<std::uint8_t> patterned(received_size);
  icmp::fill_payload(patterned, pattern);
  check_payload_comparison(patterned, reply.payload);

  report::Reply line;
  line.icmp_bytes = reply.icmp_length;
  line.from = family == Family::v4 ? "192.0.2.1" : "2001:db8::1";
  line.sequence = reply.header.sequence;
  line.identifier = reply.header.identifier;
  if (reply.ttl) line.ttl = *reply.ttl;
  line.rtt = plausible_round_trip(reply.payload);
  line.duplicate = (reply.header.sequence & 1U) != 0;
  line.timestamp = report::timestamp_prefix(std::chrono::nanoseconds(load_native_i64(packet)));
  const std::string text = report::reply_line(line);
  UPING_FUZZ_CHECK(!text.empty() && text.back() == '\n');
}

void exercise_error(Family family, const icmp::ErrorReport& error) {
  const std::string description = report::describe_icmp_error(family, error.type, error.code, error.info);
  UPING_FUZZ_CHECK(!description.empty());
  const std::string from = address_text(family, error.quoted_destination);
  const std::string text = report::error_line(std::nullopt, from, error.quoted.sequence, description);
  UPING_FUZZ_CHECK(!text.empty() && text.back() == '\n');
}

void exercise_message(Family family, const icmp::Message& message, Bytes packet) {
  if (const auto* reply = std::get_if<icmp::EchoReply>(&message)) {
    exercise_reply(family, *reply, packet);
  } else if (const auto* error = std::get_if<icmp::ErrorReport>(&message)) {
    exercise_error(family, *error);
  }
}

// The error queue hands back our own request; decoding it must agree with encoding it.
void exercise_echo_request(Family family, Bytes packet) {
  const auto header = icmp::decode_echo_request(family, packet);
  if (!header) return;
  UPING_FUZZ_CHECK(packet.size() >= icmp::kHeaderSize);
  const Bytes payload = packet.subspan(icmp::kHeaderSize);
  std::vector<std::uint8_t> encoded(packet.size());
  UPING_FUZZ_CHECK(icmp::encode_echo_request(family, *header, payload, encoded) == packet.size());
  UPING_FUZZ_CHECK(icmp::decode_echo_request(family, encoded) == header);
  if (family == Family::v4) UPING_FUZZ_CHECK(icmp::checksum(encoded) == 0);
  // A request looped back to a raw socket is neither a reply nor an error.
  UPING_FUZZ_CHECK(std::holds_alternative<icmp::Unrelated>(icmp::decode_icmp(family, encoded)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes packet(data, size);

  for (const Family family : {Family::v4, Family::v6}) {
    const icmp::Message message = icmp::decode_icmp(family, packet);
    if (const auto* reply = std::get_if<icmp::EchoReply>(&message)) {
      UPING_FUZZ_CHECK(!reply->ttl);  // no IP header, so no TTL to report
      UPING_FUZZ_CHECK(reply->payload.data() == packet.data() + icmp::kHeaderSize);
      if (family == Family::v4) UPING_FUZZ_CHECK(reply->checksum_ok == (icmp::checksum(packet) == 0));
    }
    exercise_message(family, message, packet);
    exercise_echo_request(family, packet);
  }

  const icmp::Message raw_message = icmp::decode_ipv4_packet(packet);
  if (const auto* reply = std::get_if<icmp::EchoReply>(&raw_message)) {
    UPING_FUZZ_CHECK(reply->ttl && *reply->ttl == packet[8]);
  }
  exercise_message(Family::v4, raw_message, packet);

  // The wording of every type and code, not only those that reach it through a valid quote.
  if (size >= icmp::kHeaderSize) {
    const std::uint32_t info = (std::uint32_t{data[4]} << 24) | (std::uint32_t{data[5]} << 16) |
                               (std::uint32_t{data[6]} << 8) | std::uint32_t{data[7]};
    for (const Family family : {Family::v4, Family::v6}) {
      UPING_FUZZ_CHECK(!report::describe_icmp_error(family, data[0], data[1], info).empty());
    }
  }
  return 0;
}
