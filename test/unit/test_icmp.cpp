#include <algorithm>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <catch2/catch.hpp>

#include "uping/icmp.hpp"

// Every expected value below is written out by hand (checksums worked out on paper), never
// produced by the code under test.

using namespace uping::icmp;

namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer cat(std::initializer_list<Buffer> parts) {
  Buffer joined;
  for (const auto& part : parts) {
    joined.insert(joined.end(), part.begin(), part.end());
  }
  return joined;
}

// A heap block of exactly `length` bytes, so AddressSanitizer flags any read past the prefix.
Buffer exact_prefix(const Buffer& whole, std::size_t length) {
  return Buffer(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length));
}

// Returns a copy, so it is safe on a temporary Message; spans inside still point into the packet.
template <typename T>
T expect(const Message& message) {
  REQUIRE(std::holds_alternative<T>(message));
  return std::get<T>(message);
}

Malformed expect_malformed(const Message& message) { return expect<Malformed>(message); }

// Echo request id 0x1234 seq 1 payload "abcd": 0x0800 + 0x1234 + 0x0001 + 0x6162 + 0x6364 =
// 0xDEFB, so the checksum is ~0xDEFB = 0x2104.
const Buffer kRequestV4{0x08, 0x00, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd'};
const Buffer kRequestV6{0x80, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd'};
// The matching reply: type 0 removes 0x0800 from the sum, 0xD6FB, checksum 0x2904.
const Buffer kReplyV4{0x00, 0x00, 0x29, 0x04, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd'};
const Buffer kReplyV6{0x81, 0x00, 0x5a, 0x5a, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd'};

// Our request to 192.0.2.1 from 192.168.1.2, id 0x1234 seq 7, as a router quotes it.
const Buffer kQuotedIpv4Header{0x45, 0x00, 0x00, 0x54, 0xab, 0xcd, 0x40, 0x00, 0x01, 0x01,
                               0x3c, 0x2e, 0xc0, 0xa8, 0x01, 0x02, 0xc0, 0x00, 0x02, 0x01};
const Buffer kQuotedRequestV4{0x08, 0x00, 0x4d, 0x2a, 0x12, 0x34, 0x00, 0x07};

// Our request to 2001:db8::2 from 2001:db8::1, id 0x1234 seq 9.
const Buffer kQuotedIpv6Header{0x60, 0x00, 0x00, 0x00, 0x00, 0x40, 0x3a, 0x01,                              //
                               0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0x01,   // source
                               0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0x02};  // dest
const Buffer kQuotedRequestV6{0x80, 0x00, 0x11, 0x22, 0x12, 0x34, 0x00, 0x09};

Buffer v4_error(std::uint8_t type, std::uint8_t code, Buffer info = {0, 0, 0, 0}) {
  return cat({{type, code, 0xbe, 0xef}, info, kQuotedIpv4Header, kQuotedRequestV4});
}

Buffer v6_error(std::uint8_t type, std::uint8_t code, Buffer info = {0, 0, 0, 0}) {
  return cat({{type, code, 0xbe, 0xef}, info, kQuotedIpv6Header, kQuotedRequestV6});
}

// IPv4 header from 127.0.0.1 to 127.0.0.1, TTL 64, protocol ICMP; the header checksum is not
// something the decoder looks at.
Buffer ipv4_header(std::uint16_t total_length, std::uint8_t protocol = kProtocolIcmp, std::uint8_t version_ihl = 0x45) {
  return Buffer{version_ihl,
                0x00,
                static_cast<std::uint8_t>(total_length >> 8),
                static_cast<std::uint8_t>(total_length & 0xFF),
                0x00,
                0x00,
                0x40,
                0x00,
                0x40,
                protocol,
                0x00,
                0x00,
                0x7f,
                0x00,
                0x00,
                0x01,
                0x7f,
                0x00,
                0x00,
                0x01};
}

void check_v4_quote(const ErrorReport& report) {
  CHECK(report.quoted == EchoHeader{0x1234, 7});
  CHECK(report.quoted_destination[0] == 192);
  CHECK(report.quoted_destination[1] == 0);
  CHECK(report.quoted_destination[2] == 2);
  CHECK(report.quoted_destination[3] == 1);
  CHECK(std::all_of(report.quoted_destination.begin() + 4, report.quoted_destination.end(),
                    [](std::uint8_t b) { return b == 0; }));
}

void check_v6_quote(const ErrorReport& report) {
  CHECK(report.quoted == EchoHeader{0x1234, 9});
  const std::array<std::uint8_t, 16> expected{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};
  CHECK(report.quoted_destination == expected);
}

}  // namespace

TEST_CASE("checksum matches hand-computed vectors", "[icmp]") {
  SECTION("RFC 1071 section 3 example") {
    // One's complement sum 0xDDF2, so the checksum is 0x220D.
    CHECK(checksum(Buffer{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}) == 0x220d);
  }
  SECTION("a real IPv4 header, with and without its checksum") {
    Buffer header{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK(checksum(header) == 0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    CHECK(checksum(header) == 0);
  }
  SECTION("odd lengths pad the last byte on the right") {
    CHECK(checksum(Buffer{0x01}) == 0xfeff);
    CHECK(checksum(Buffer{0x12, 0x34, 0x56}) == 0x97cb);  // 0x1234 + 0x5600 = 0x6834
  }
  SECTION("carries wrap around") {
    CHECK(checksum(Buffer{0xff, 0xff, 0x00, 0x01}) == 0xfffe);  // 0x10000 folds to 0x0001
    // 0x1FFFF folds to 0x10000, which needs a second fold to reach 0x0001.
    CHECK(checksum(Buffer{0xff, 0xff, 0xff, 0xff, 0x00, 0x01}) == 0xfffe);
  }
  SECTION("empty and all-zero buffers") {
    CHECK(checksum(Buffer{}) == 0xffff);
    CHECK(checksum(Buffer(10, 0)) == 0xffff);
  }
  SECTION("sums far beyond 16 bits") {
    // 40000 words of 0x0100: 0x9C4000, folded 0x409C, complemented 0xBF63.
    Buffer big;
    for (int i = 0; i < 40000; ++i) {
      big.push_back(0x01);
      big.push_back(0x00);
    }
    CHECK(checksum(big) == 0xbf63);
  }
}

TEST_CASE("encode_echo_request writes the exact wire bytes", "[icmp]") {
  const Buffer payload{'a', 'b', 'c', 'd'};
  Buffer out(64, 0xee);

  SECTION("IPv4 fills in the checksum") {
    REQUIRE(encode_echo_request(Family::v4, {0x1234, 1}, payload, out) == 12);
    CHECK(exact_prefix(out, 12) == kRequestV4);
    CHECK(checksum(Bytes(out).first(12)) == 0);
    CHECK(out[12] == 0xee);  // nothing written past the message
  }
  SECTION("ICMPv6 leaves the checksum to the kernel") {
    REQUIRE(encode_echo_request(Family::v6, {0x1234, 1}, payload, out) == 12);
    CHECK(exact_prefix(out, 12) == kRequestV6);
  }
  SECTION("IPv4 for a datagram socket leaves the checksum to the kernel") {
    REQUIRE(encode_echo_request(Family::v4, {0x1234, 1}, payload, out, ChecksumBy::kernel) == 12);
    Buffer expected = kRequestV4;
    expected[2] = 0;
    expected[3] = 0;
    CHECK(exact_prefix(out, 12) == expected);
  }
  SECTION("empty payload") {
    // 0x0800 + 0x1234 + 0x0001 = 0x1A35, checksum 0xE5CA.
    REQUIRE(encode_echo_request(Family::v4, {0x1234, 1}, {}, out) == 8);
    CHECK(exact_prefix(out, 8) == Buffer{0x08, 0x00, 0xe5, 0xca, 0x12, 0x34, 0x00, 0x01});
  }
  SECTION("identifier and sequence are big-endian") {
    REQUIRE(encode_echo_request(Family::v6, {0xfedc, 0xab01}, {}, out) == 8);
    CHECK(exact_prefix(out, 8) == Buffer{0x80, 0x00, 0x00, 0x00, 0xfe, 0xdc, 0xab, 0x01});
  }
  SECTION("too small a buffer writes nothing") {
    Buffer small(11, 0xee);
    CHECK(encode_echo_request(Family::v4, {0x1234, 1}, payload, small) == 0);
    CHECK(small == Buffer(11, 0xee));
    Buffer tiny(7, 0xee);
    CHECK(encode_echo_request(Family::v6, {0x1234, 1}, {}, tiny) == 0);
    CHECK(tiny == Buffer(7, 0xee));
    Buffer exact(12, 0xee);
    CHECK(encode_echo_request(Family::v4, {0x1234, 1}, payload, exact) == 12);
    CHECK(exact == kRequestV4);
  }
  SECTION("payload already in place") {
    Buffer in_place{0, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c', 'd'};
    REQUIRE(encode_echo_request(Family::v4, {0x1234, 1}, Bytes(in_place).subspan(8), in_place) == 12);
    CHECK(in_place == kRequestV4);
  }
}

TEST_CASE("echo requests round-trip through decode_echo_request", "[icmp]") {
  const auto family = GENERATE(Family::v4, Family::v6);
  const auto header = GENERATE(EchoHeader{0, 0}, EchoHeader{0x1234, 1}, EchoHeader{0xffff, 0xffff},
                               EchoHeader{0x00ff, 0xff00});
  const auto payload_size = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{56});

  Buffer payload(payload_size);
  fill_payload(payload, {});
  Buffer out(128);
  const std::size_t written = encode_echo_request(family, header, payload, out);
  REQUIRE(written == 8 + payload_size);
  const Buffer message = exact_prefix(out, written);

  const auto decoded = decode_echo_request(family, message);
  REQUIRE(decoded.has_value());
  CHECK(*decoded == header);
  CHECK(std::equal(payload.begin(), payload.end(), message.begin() + 8));
  if (family == Family::v4) {
    CHECK(checksum(message) == 0);
  }
  // The other family's request type is not ours.
  const Family other = family == Family::v4 ? Family::v6 : Family::v4;
  CHECK_FALSE(decode_echo_request(other, message).has_value());
}

TEST_CASE("decode_echo_request rejects what is not a request", "[icmp]") {
  CHECK_FALSE(decode_echo_request(Family::v4, kReplyV4).has_value());
  CHECK_FALSE(decode_echo_request(Family::v6, kReplyV6).has_value());
  for (std::size_t length = 0; length < kHeaderSize; ++length) {
    CAPTURE(length);
    CHECK_FALSE(decode_echo_request(Family::v4, exact_prefix(kRequestV4, length)).has_value());
    CHECK_FALSE(decode_echo_request(Family::v6, exact_prefix(kRequestV6, length)).has_value());
  }
  CHECK(decode_echo_request(Family::v4, exact_prefix(kRequestV4, 8)) == EchoHeader{0x1234, 1});
}

TEST_CASE("echo replies decode with payload and checksum verdict", "[icmp]") {
  SECTION("IPv4 with a correct checksum") {
    const Message message = decode_icmp(Family::v4, kReplyV4);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.header == EchoHeader{0x1234, 1});
    CHECK(reply.icmp_length == 12);
    CHECK(reply.checksum_ok);
    CHECK_FALSE(reply.ttl.has_value());
    REQUIRE(reply.payload.size() == 4);
    CHECK(reply.payload.data() == kReplyV4.data() + 8);  // a view, not a copy
  }
  SECTION("IPv4 with a damaged payload byte") {
    Buffer damaged = kReplyV4;
    damaged[10] = 'X';
    CHECK_FALSE(expect<EchoReply>(decode_icmp(Family::v4, damaged)).checksum_ok);
  }
  SECTION("IPv4 with a wrong checksum field") {
    Buffer damaged = kReplyV4;
    damaged[3] = 0x05;
    CHECK_FALSE(expect<EchoReply>(decode_icmp(Family::v4, damaged)).checksum_ok);
  }
  SECTION("IPv4 from a datagram socket: the kernel has checked the checksum already") {
    Buffer damaged = kReplyV4;
    damaged[3] = 0x05;
    const Message message = decode_icmp(Family::v4, damaged, ChecksumBy::kernel);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.checksum_ok);
    CHECK(reply.header == EchoHeader{0x1234, 1});
    CHECK(reply.icmp_length == kReplyV4.size());
  }
  SECTION("ICMPv6 checksums are the kernel's business") {
    const Message message = decode_icmp(Family::v6, kReplyV6);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.header == EchoHeader{0x1234, 1});
    CHECK(reply.icmp_length == 12);
    CHECK(reply.checksum_ok);
    CHECK(reply.payload.size() == 4);
  }
  SECTION("header only") {
    // 0x1234 + 0x0001 = 0x1235, checksum 0xEDCA.
    const Buffer bare{0x00, 0x00, 0xed, 0xca, 0x12, 0x34, 0x00, 0x01};
    const Message message = decode_icmp(Family::v4, bare);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.icmp_length == 8);
    CHECK(reply.payload.empty());
    CHECK(reply.checksum_ok);
  }
}

TEST_CASE("IPv4 errors quoting our request become ErrorReports", "[icmp]") {
  SECTION("destination unreachable, every common code") {
    const auto code = GENERATE(std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{3}, std::uint8_t{10}, std::uint8_t{13});
    const Message message = decode_icmp(Family::v4, v4_error(3, code));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 3);
    CHECK(report.code == code);
    CHECK(report.info == 0);
    check_v4_quote(report);
  }
  SECTION("fragmentation needed carries the MTU in the low 16 bits") {
    const Message message = decode_icmp(Family::v4, v4_error(3, 4, {0x00, 0x00, 0x05, 0xdc}));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.code == 4);
    CHECK(report.info == 0x000005dc);
    CHECK((report.info & 0xffff) == 1500);
    check_v4_quote(report);
  }
  SECTION("source quench") {
    const Message message = decode_icmp(Family::v4, v4_error(4, 0));
    CHECK(expect<ErrorReport>(message).type == 4);
    check_v4_quote(expect<ErrorReport>(message));
  }
  SECTION("redirect carries the gateway") {
    const Message message = decode_icmp(Family::v4, v4_error(5, 1, {10, 0, 0, 254}));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 5);
    CHECK(report.code == 1);
    CHECK(report.info == 0x0a0000fe);
    check_v4_quote(report);
  }
  SECTION("time exceeded") {
    const auto code = GENERATE(std::uint8_t{0}, std::uint8_t{1});
    const Message message = decode_icmp(Family::v4, v4_error(11, code));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 11);
    CHECK(report.code == code);
    check_v4_quote(report);
  }
  SECTION("parameter problem carries the pointer in the top byte") {
    const Message message = decode_icmp(Family::v4, v4_error(12, 0, {0x0c, 0x00, 0x00, 0x00}));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 12);
    CHECK((report.info >> 24) == 12);
    check_v4_quote(report);
  }
  SECTION("a quoted header with options") {
    Buffer quoted_header = kQuotedIpv4Header;
    quoted_header[0] = 0x46;  // IHL 6: one word of options
    const Buffer error = cat({{3, 1, 0, 0, 0, 0, 0, 0}, quoted_header, {0x01, 0x01, 0x01, 0x00}, kQuotedRequestV4});
    check_v4_quote(expect<ErrorReport>(decode_icmp(Family::v4, error)));
  }
  SECTION("a quote longer than 8 bytes of ICMP") {
    Buffer error = v4_error(11, 0);
    error.insert(error.end(), 56, 0x42);
    check_v4_quote(expect<ErrorReport>(decode_icmp(Family::v4, error)));
  }
}

TEST_CASE("ICMPv6 errors quoting our request become ErrorReports", "[icmp]") {
  SECTION("destination unreachable") {
    const auto code = GENERATE(std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{3}, std::uint8_t{4});
    const Message message = decode_icmp(Family::v6, v6_error(1, code));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 1);
    CHECK(report.code == code);
    check_v6_quote(report);
  }
  SECTION("packet too big carries the MTU") {
    const Message message = decode_icmp(Family::v6, v6_error(2, 0, {0x00, 0x00, 0x05, 0x00}));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 2);
    CHECK(report.info == 1280);
    check_v6_quote(report);
  }
  SECTION("time exceeded") {
    const Message message = decode_icmp(Family::v6, v6_error(3, 0));
    CHECK(expect<ErrorReport>(message).type == 3);
    check_v6_quote(expect<ErrorReport>(message));
  }
  SECTION("parameter problem carries the pointer") {
    const Message message = decode_icmp(Family::v6, v6_error(4, 1, {0x00, 0x00, 0x00, 0x28}));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 4);
    CHECK(report.code == 1);
    CHECK(report.info == 40);
    check_v6_quote(report);
  }
}

TEST_CASE("quotes that are not our echo request", "[icmp]") {
  SECTION("IPv4 quote of a UDP datagram") {
    Buffer quoted_header = kQuotedIpv4Header;
    quoted_header[9] = 17;
    const Buffer error = cat(
        {{3, 3, 0, 0, 0, 0, 0, 0}, quoted_header, {0xd4, 0x31, 0x82, 0x9b, 0x00, 0x10, 0x00, 0x00}});
    CHECK(expect_malformed(decode_icmp(Family::v4, error)) == Malformed::bad_quote);
  }
  SECTION("IPv4 quote of an ICMP message other than an echo request") {
    const auto quoted_type = GENERATE(std::uint8_t{0}, std::uint8_t{3}, std::uint8_t{13});
    const Buffer error = cat(
        {{11, 0, 0, 0, 0, 0, 0, 0}, kQuotedIpv4Header, {quoted_type, 0, 0, 0, 0x12, 0x34, 0x00, 0x07}});
    CHECK(expect_malformed(decode_icmp(Family::v4, error)) == Malformed::bad_quote);
  }
  SECTION("IPv4 quote with a bad version or header length") {
    const auto version_ihl = GENERATE(std::uint8_t{0x65}, std::uint8_t{0x44}, std::uint8_t{0x40});
    Buffer quoted_header = kQuotedIpv4Header;
    quoted_header[0] = version_ihl;
    const Buffer error = cat({{3, 1, 0, 0, 0, 0, 0, 0}, quoted_header, kQuotedRequestV4});
    CHECK(expect_malformed(decode_icmp(Family::v4, error)) == Malformed::bad_quote);
  }
  SECTION("IPv4 quote of a later fragment") {
    Buffer quoted_header = kQuotedIpv4Header;
    quoted_header[6] = 0x20;  // more fragments, offset 0x00b9 * 8
    quoted_header[7] = 0xb9;
    const Buffer error = cat({{3, 1, 0, 0, 0, 0, 0, 0}, quoted_header, kQuotedRequestV4});
    CHECK(expect_malformed(decode_icmp(Family::v4, error)) == Malformed::bad_quote);
  }
  SECTION("IPv4 quote whose header length runs past the message") {
    Buffer quoted_header = kQuotedIpv4Header;
    quoted_header[0] = 0x4f;  // 60-byte header, but only 28 bytes quoted in all
    const Buffer error = cat({{3, 1, 0, 0, 0, 0, 0, 0}, quoted_header, kQuotedRequestV4});
    CHECK(expect_malformed(decode_icmp(Family::v4, error)) == Malformed::truncated);
  }
  SECTION("ICMPv6 quote of another protocol or an extension header") {
    const auto next_header = GENERATE(std::uint8_t{17}, std::uint8_t{44}, std::uint8_t{0});
    Buffer quoted_header = kQuotedIpv6Header;
    quoted_header[6] = next_header;
    const Buffer error = cat({{1, 4, 0, 0, 0, 0, 0, 0}, quoted_header, kQuotedRequestV6});
    CHECK(expect_malformed(decode_icmp(Family::v6, error)) == Malformed::bad_quote);
  }
  SECTION("ICMPv6 quote with a bad version") {
    Buffer quoted_header = kQuotedIpv6Header;
    quoted_header[0] = 0x40;
    const Buffer error = cat({{3, 0, 0, 0, 0, 0, 0, 0}, quoted_header, kQuotedRequestV6});
    CHECK(expect_malformed(decode_icmp(Family::v6, error)) == Malformed::bad_quote);
  }
  SECTION("ICMPv6 quote of an ICMPv6 message other than an echo request") {
    const auto quoted_type = GENERATE(std::uint8_t{129}, std::uint8_t{135}, std::uint8_t{8});
    const Buffer error = cat(
        {{1, 0, 0, 0, 0, 0, 0, 0}, kQuotedIpv6Header, {quoted_type, 0, 0, 0, 0x12, 0x34, 0x00, 0x09}});
    CHECK(expect_malformed(decode_icmp(Family::v6, error)) == Malformed::bad_quote);
  }
  SECTION("an IPv4 quote in an ICMPv6 error, and the reverse") {
    const Buffer v6_with_v4_quote = cat({{1, 0, 0, 0, 0, 0, 0, 0}, kQuotedIpv4Header, kQuotedRequestV4, Buffer(20, 0)});
    CHECK(expect_malformed(decode_icmp(Family::v6, v6_with_v4_quote)) == Malformed::bad_quote);
    const Buffer v4_with_v6_quote = cat({{3, 0, 0, 0, 0, 0, 0, 0}, kQuotedIpv6Header, kQuotedRequestV6});
    CHECK(expect_malformed(decode_icmp(Family::v4, v4_with_v6_quote)) == Malformed::bad_quote);
  }
}

TEST_CASE("other ICMP types are Unrelated", "[icmp]") {
  SECTION("IPv4") {
    // Our own request looped back, timestamp request, router advertisement, an unassigned
    // type, and the ICMPv6 reply type, which means nothing in IPv4.
    const auto type = GENERATE(std::uint8_t{8}, std::uint8_t{13}, std::uint8_t{9}, std::uint8_t{1}, std::uint8_t{129});
    Buffer message = kReplyV4;
    message[0] = type;
    CHECK(expect<Unrelated>(decode_icmp(Family::v4, message)).type == type);
  }
  SECTION("ICMPv6") {
    // Our own request, MLD query, router/neighbour discovery, and the IPv4 reply type.
    const auto type = GENERATE(std::uint8_t{128}, std::uint8_t{130}, std::uint8_t{134}, std::uint8_t{135},
                               std::uint8_t{136}, std::uint8_t{0});
    Buffer message = kReplyV6;
    message[0] = type;
    CHECK(expect<Unrelated>(decode_icmp(Family::v6, message)).type == type);
  }
  SECTION("a router advertisement of full size") {
    const Buffer advertisement{134, 0, 0x12, 0x34, 64, 0x00, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(expect<Unrelated>(decode_icmp(Family::v6, advertisement)).type == 134);
  }
}

TEST_CASE("every truncation of a valid message is handled", "[icmp]") {
  SECTION("echo replies: short of 8 bytes is truncated, beyond that a shorter reply") {
    for (const Family family : {Family::v4, Family::v6}) {
      const Buffer& whole = family == Family::v4 ? kReplyV4 : kReplyV6;
      for (std::size_t length = 0; length < whole.size(); ++length) {
        CAPTURE(family == Family::v4, length);
        const Buffer prefix = exact_prefix(whole, length);
        const Message message = decode_icmp(family, prefix);
        if (length < kHeaderSize) {
          CHECK(expect_malformed(message) == Malformed::truncated);
        } else {
          const auto& reply = expect<EchoReply>(message);
          CHECK(reply.header == EchoHeader{0x1234, 1});
          CHECK(reply.icmp_length == length);
          CHECK(reply.payload.size() == length - kHeaderSize);
          // None of these prefixes happens to sum to 0xFFFF.
          CHECK(reply.checksum_ok == (family == Family::v6));
        }
      }
    }
  }
  SECTION("IPv4 errors") {
    Buffer quoted_header_with_options = kQuotedIpv4Header;
    quoted_header_with_options[0] = 0x47;
    const std::vector<Buffer> samples{
        v4_error(3, 1), v4_error(11, 0), v4_error(3, 4, {0, 0, 0x05, 0xdc}),
        cat({{12, 0, 0, 0, 20, 0, 0, 0}, quoted_header_with_options, Buffer(8, 0x01), kQuotedRequestV4})};
    for (const Buffer& whole : samples) {
      REQUIRE(std::holds_alternative<ErrorReport>(decode_icmp(Family::v4, whole)));
      for (std::size_t length = 0; length < whole.size(); ++length) {
        CAPTURE(whole[0], length);
        CHECK(expect_malformed(decode_icmp(Family::v4, exact_prefix(whole, length))) == Malformed::truncated);
      }
    }
  }
  SECTION("ICMPv6 errors") {
    for (const std::uint8_t type : {std::uint8_t{1}, std::uint8_t{2}, std::uint8_t{3}, std::uint8_t{4}}) {
      const Buffer whole = v6_error(type, 0);
      REQUIRE(std::holds_alternative<ErrorReport>(decode_icmp(Family::v6, whole)));
      for (std::size_t length = 0; length < whole.size(); ++length) {
        CAPTURE(type, length);
        CHECK(expect_malformed(decode_icmp(Family::v6, exact_prefix(whole, length))) == Malformed::truncated);
      }
    }
  }
  SECTION("raw IPv4 packets") {
    const std::vector<Buffer> samples{cat({ipv4_header(32), kReplyV4}), cat({ipv4_header(56), v4_error(3, 1)})};
    for (const Buffer& whole : samples) {
      REQUIRE_FALSE(std::holds_alternative<Malformed>(decode_ipv4_packet(whole)));
      for (std::size_t length = 0; length < whole.size(); ++length) {
        CAPTURE(whole.size(), length);
        CHECK(expect_malformed(decode_ipv4_packet(exact_prefix(whole, length))) == Malformed::truncated);
      }
    }
  }
  SECTION("anything shorter than a header, whatever its type") {
    for (int type = 0; type < 256; ++type) {
      for (std::size_t length = 1; length < kHeaderSize; ++length) {
        Buffer bytes(length, 0);
        bytes[0] = static_cast<std::uint8_t>(type);
        CHECK(expect_malformed(decode_icmp(Family::v4, bytes)) == Malformed::truncated);
        CHECK(expect_malformed(decode_icmp(Family::v6, bytes)) == Malformed::truncated);
      }
    }
  }
}

TEST_CASE("raw IPv4 packets", "[icmp]") {
  SECTION("an echo reply takes its TTL from the IP header") {
    const Buffer packet = cat({ipv4_header(32), kReplyV4});
    const Message message = decode_ipv4_packet(packet);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.header == EchoHeader{0x1234, 1});
    CHECK(reply.icmp_length == 12);
    CHECK(reply.checksum_ok);
    REQUIRE(reply.ttl.has_value());
    CHECK(*reply.ttl == 64);
    CHECK(reply.payload.data() == packet.data() + 28);
  }
  SECTION("a header with options") {
    Buffer header = ipv4_header(36, kProtocolIcmp, 0x46);
    header[8] = 7;  // TTL
    const Buffer packet = cat({header, {0x01, 0x01, 0x01, 0x00}, kReplyV4});
    const Message message = decode_ipv4_packet(packet);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.ttl == std::optional<std::uint8_t>{7});
    CHECK(reply.icmp_length == 12);
    CHECK(reply.checksum_ok);
  }
  SECTION("bytes past the total length are trimmed") {
    const Buffer packet = cat({ipv4_header(32), kReplyV4, {0, 0, 0, 0, 0, 0}});
    const Message message = decode_ipv4_packet(packet);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.icmp_length == 12);
    CHECK(reply.payload.size() == 4);
    CHECK(reply.checksum_ok);
  }
  SECTION("an error keeps its quote") {
    const Message message = decode_ipv4_packet(cat({ipv4_header(56), v4_error(11, 0)}));
    const auto& report = expect<ErrorReport>(message);
    CHECK(report.type == 11);
    check_v4_quote(report);
  }
  SECTION("our own request looped back") {
    CHECK(expect<Unrelated>(decode_ipv4_packet(cat({ipv4_header(32), kRequestV4}))).type == 8);
  }
  SECTION("bad version or header length") {
    const auto version_ihl = GENERATE(std::uint8_t{0x65}, std::uint8_t{0x05}, std::uint8_t{0x44}, std::uint8_t{0x40});
    const Buffer packet = cat({ipv4_header(32, kProtocolIcmp, version_ihl), kReplyV4});
    CHECK(expect_malformed(decode_ipv4_packet(packet)) == Malformed::bad_ip_header);
  }
  SECTION("header length beyond the buffer") {
    // 60-byte header claimed, 32 bytes received.
    const Buffer packet = cat({ipv4_header(32, kProtocolIcmp, 0x4f), kReplyV4});
    CHECK(expect_malformed(decode_ipv4_packet(packet)) == Malformed::truncated);
  }
  SECTION("total length below the header length") {
    const auto total = GENERATE(std::uint16_t{0}, std::uint16_t{19});
    const Buffer packet = cat({ipv4_header(total), kReplyV4});
    CHECK(expect_malformed(decode_ipv4_packet(packet)) == Malformed::bad_ip_header);
  }
  SECTION("total length above what was received") {
    const auto total = GENERATE(std::uint16_t{33}, std::uint16_t{1500}, std::uint16_t{0xffff});
    const Buffer packet = cat({ipv4_header(total), kReplyV4});
    CHECK(expect_malformed(decode_ipv4_packet(packet)) == Malformed::truncated);
  }
  SECTION("total length leaving less than an ICMP header") {
    const auto total = GENERATE(std::uint16_t{20}, std::uint16_t{27});
    const Buffer packet = cat({ipv4_header(total), kReplyV4});
    CHECK(expect_malformed(decode_ipv4_packet(packet)) == Malformed::truncated);
  }
  SECTION("total length cutting into the payload") {
    const Buffer packet = cat({ipv4_header(30), kReplyV4});
    const Message message = decode_ipv4_packet(packet);
    const auto& reply = expect<EchoReply>(message);
    CHECK(reply.icmp_length == 10);
    CHECK_FALSE(reply.checksum_ok);
  }
  SECTION("protocols other than ICMP") {
    const auto protocol = GENERATE(std::uint8_t{6}, std::uint8_t{17}, std::uint8_t{58}, std::uint8_t{0});
    const Buffer packet = cat({ipv4_header(32, protocol), kReplyV4});
    CHECK(expect_malformed(decode_ipv4_packet(packet)) == Malformed::not_icmp);
  }
}

TEST_CASE("fill_payload follows iputils' layout", "[icmp]") {
  SECTION("without a pattern, byte i is i mod 256") {
    Buffer payload(300, 0xee);
    fill_payload(payload, {});
    CHECK(payload[0] == 0x00);
    CHECK(payload[15] == 0x0f);
    CHECK(payload[16] == 0x10);  // the first byte iputils puts after its timeval
    CHECK(payload[17] == 0x11);
    CHECK(payload[255] == 0xff);
    CHECK(payload[256] == 0x00);
    CHECK(payload[299] == 43);
  }
  SECTION("small payloads are all fill bytes") {
    Buffer payload(5, 0xee);
    fill_payload(payload, {});
    CHECK(payload == Buffer{0, 1, 2, 3, 4});
  }
  SECTION("a one-byte pattern fills everything") {
    Buffer payload(40, 0);
    fill_payload(payload, Buffer{0xab});
    CHECK(payload == Buffer(40, 0xab));
  }
  SECTION("a longer pattern repeats from payload byte 0") {
    Buffer payload(8, 0);
    fill_payload(payload, Buffer{0xde, 0xad, 0xbe});
    CHECK(payload == Buffer{0xde, 0xad, 0xbe, 0xde, 0xad, 0xbe, 0xde, 0xad});

    Buffer large(24, 0);
    fill_payload(large, Buffer{0xde, 0xad, 0xbe});
    // Offset 16 is 16 mod 3 = 1 into the pattern, as on iputils' wire.
    CHECK(Buffer(large.begin() + 16, large.end()) == Buffer{0xad, 0xbe, 0xde, 0xad, 0xbe, 0xde, 0xad, 0xbe});
  }
  SECTION("an empty payload is left alone") {
    Buffer nothing;
    fill_payload(nothing, Buffer{1, 2});
    CHECK(nothing.empty());
  }
}

TEST_CASE("stamp_payload writes a native struct timeval", "[icmp]") {
  SECTION("in the first 16 bytes only") {
    Buffer payload(20, 0xee);
    stamp_payload(payload, 0x0102030405060708, 0x012345);
    Buffer expected;
    if constexpr (std::endian::native == std::endian::little) {
      expected = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    } else {
      expected = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x23, 0x45};
    }
    CHECK(exact_prefix(payload, 16) == expected);
    CHECK(Buffer(payload.begin() + 16, payload.end()) == Buffer(4, 0xee));
  }
  SECTION("exactly 16 bytes") {
    Buffer payload(16, 0xee);
    stamp_payload(payload, 0, 999999);
    CHECK(std::count(payload.begin(), payload.end(), 0xee) == 0);
  }
  SECTION("not at all when the payload is too small") {
    Buffer payload(15, 0xee);
    stamp_payload(payload, 1700000000, 123456);
    CHECK(payload == Buffer(15, 0xee));
    Buffer nothing;
    stamp_payload(nothing, 1700000000, 123456);
    CHECK(nothing.empty());
  }
}

TEST_CASE("compare_payload finds the first wrong data byte", "[icmp]") {
  Buffer sent(56);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    sent[i] = static_cast<std::uint8_t>(i);
  }

  SECTION("identical payloads agree") { CHECK_FALSE(compare_payload(sent, sent).has_value()); }
  SECTION("the timestamp area is not compared") {
    Buffer received = sent;
    received[0] = 0xff;
    received[15] = 0xff;
    CHECK_FALSE(compare_payload(sent, received).has_value());
  }
  SECTION("the first difference after it is reported") {
    Buffer received = sent;
    received[20] = 0x99;
    received[40] = 0x98;
    const auto mismatch = compare_payload(sent, received);
    REQUIRE(mismatch.has_value());
    CHECK(mismatch->offset == 20);
    CHECK(mismatch->expected == 20);
    CHECK(mismatch->actual == 0x99);
  }
  SECTION("a difference at offset 16 is reported") {
    Buffer received = sent;
    received[16] = 0;
    const auto mismatch = compare_payload(sent, received);
    REQUIRE(mismatch.has_value());
    CHECK(mismatch->offset == 16);
    CHECK(mismatch->expected == 16);
    CHECK(mismatch->actual == 0);
  }
  SECTION("small payloads are compared from byte 0") {
    const Buffer small_sent{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    Buffer received = small_sent;
    received[3] = 0x30;
    const auto mismatch = compare_payload(small_sent, received);
    REQUIRE(mismatch.has_value());
    CHECK(mismatch->offset == 3);
    CHECK(mismatch->expected == 3);
    CHECK(mismatch->actual == 0x30);
  }
  SECTION("only the common length is compared") {
    const Buffer shorter = exact_prefix(sent, 30);
    CHECK_FALSE(compare_payload(sent, shorter).has_value());
    CHECK_FALSE(compare_payload(shorter, sent).has_value());
    Buffer longer = sent;
    longer.push_back(0x77);
    CHECK_FALSE(compare_payload(sent, longer).has_value());
    CHECK_FALSE(compare_payload(sent, Buffer{}).has_value());
    Buffer shorter_wrong = shorter;
    shorter_wrong[29] = 0;
    CHECK(compare_payload(sent, shorter_wrong)->offset == 29);
  }
}
