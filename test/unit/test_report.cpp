#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/report.hpp"

using namespace std::chrono_literals;
using uping::Micros;
using uping::Statistics;
using uping::icmp::Family;
namespace report = uping::report;

namespace {

// `sent` probes, then one reply per time in `rtts` (first answers, not duplicates).
Statistics run(std::uint64_t sent, std::initializer_list<Micros> rtts) {
  Statistics stats;
  for (std::uint64_t i = 0; i < sent; ++i) stats.record_transmit();
  for (Micros rtt : rtts) stats.record_reply(rtt, false);
  return stats;
}

report::Summary summary_of(const Statistics& stats, Micros elapsed) {
  report::Summary summary;
  summary.name = "127.0.0.1";
  summary.stats = &stats;
  summary.elapsed = elapsed;
  return summary;
}

}  // namespace

TEST_CASE("IPv4 header counts ICMP and IP headers and options", "[report]") {
  report::Header header;
  header.name = "127.0.0.1";
  header.address = "127.0.0.1";
  CHECK(report::header_line(header) == "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n");
  header.payload_size = 8;
  CHECK(report::header_line(header) == "PING 127.0.0.1 (127.0.0.1) 8(36) bytes of data.\n");
  header.payload_size = 56;
  header.ip_options_size = 40;  // -R
  CHECK(report::header_line(header) == "PING 127.0.0.1 (127.0.0.1) 56(124) bytes of data.\n");
  header.name = "localhost";
  header.ip_options_size = 0;
  header.payload_size = 0;
  CHECK(report::header_line(header) == "PING localhost (127.0.0.1) 0(28) bytes of data.\n");
}

TEST_CASE("IPv6 header has 20250605's space before the address", "[report]") {
  report::Header header;
  header.family = Family::v6;
  header.name = "::1";
  header.address = "::1";
  CHECK(report::header_line(header) == "PING ::1 (::1) 56 data bytes\n");
  header.name = "ip6-localhost";
  header.payload_size = 100;
  header.ip_options_size = 40;  // ignored for IPv6
  CHECK(report::header_line(header) == "PING ip6-localhost (::1) 100 data bytes\n");
}

TEST_CASE("reply time: three decimals below 1 ms, truncated", "[report]") {
  CHECK(report::format_reply_time(0) == "0.000");
  CHECK(report::format_reply_time(50) == "0.050");
  CHECK(report::format_reply_time(999) == "0.999");
}

TEST_CASE("reply time: two decimals from 1 ms, rounded", "[report]") {
  CHECK(report::format_reply_time(1000) == "1.00");
  CHECK(report::format_reply_time(1004) == "1.00");
  CHECK(report::format_reply_time(1005) == "1.01");
  CHECK(report::format_reply_time(1994) == "1.99");
  CHECK(report::format_reply_time(1995) == "2.00");
  CHECK(report::format_reply_time(9994) == "9.99");
}

TEST_CASE("reply time: one decimal from 9.995 ms, rounded", "[report]") {
  CHECK(report::format_reply_time(9995) == "10.0");
  CHECK(report::format_reply_time(51149) == "51.1");
  CHECK(report::format_reply_time(51150) == "51.2");
  CHECK(report::format_reply_time(99949) == "99.9");
}

TEST_CASE("reply time: whole milliseconds from 99.95 ms, rounded", "[report]") {
  CHECK(report::format_reply_time(99950) == "100");
  CHECK(report::format_reply_time(250499) == "250");
  CHECK(report::format_reply_time(250500) == "251");
  CHECK(report::format_reply_time(12345678) == "12346");
}

TEST_CASE("reply line as Debian prints it", "[report]") {
  report::Reply reply;
  reply.icmp_bytes = 64;
  reply.from = "127.0.0.1";
  reply.sequence = 1;
  reply.ttl = 64;
  reply.rtt = 34;
  CHECK(report::reply_line(reply) == "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.034 ms\n");
}

TEST_CASE("reply line with every optional part, in iputils' order", "[report]") {
  report::Reply reply;
  reply.timestamp = "[1795383126.508187] ";
  reply.icmp_bytes = 64;
  reply.from = "localhost (127.0.0.1)";
  reply.sequence = 65535;
  reply.identifier = 4657;
  reply.ttl = 64;
  reply.rtt = 12;
  reply.duplicate = true;
  CHECK(report::reply_line(reply) ==
        "[1795383126.508187] 64 bytes from localhost (127.0.0.1): icmp_seq=65535 ident=4657 "
        "ttl=64 time=0.012 ms (DUP!)\n");
}

TEST_CASE("reply line without timing or ttl", "[report]") {
  // ping -c 2 -s 8 127.0.0.1: "16 bytes from 127.0.0.1: icmp_seq=1 ttl=64"
  report::Reply reply;
  reply.icmp_bytes = 16;
  reply.from = "127.0.0.1";
  reply.sequence = 1;
  reply.ttl = 64;
  CHECK(report::reply_line(reply) == "16 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n");
  reply.ttl.reset();
  reply.duplicate = true;
  CHECK(report::reply_line(reply) == "16 bytes from 127.0.0.1: icmp_seq=1 (DUP!)\n");
}

TEST_CASE("timestamp prefix: seconds and six-digit microseconds", "[report]") {
  CHECK(report::timestamp_prefix(1700000000s + 123456789ns) == "[1700000000.123456] ");
  CHECK(report::timestamp_prefix(1700000000s + 5us) == "[1700000000.000005] ");
  CHECK(report::timestamp_prefix(0ns) == "[0.000000] ");
}

TEST_CASE("IPv4 destination unreachable texts", "[report]") {
  const auto text = [](std::uint8_t code, std::uint32_t info = 0) {
    return report::describe_icmp_error(Family::v4, 3, code, info);
  };
  CHECK(text(0) == "Destination Net Unreachable");
  CHECK(text(1) == "Destination Host Unreachable");
  CHECK(text(2) == "Destination Protocol Unreachable");
  CHECK(text(3) == "Destination Port Unreachable");
  CHECK(text(4, 1400) == "Frag needed and DF set (mtu = 1400)");
  CHECK(text(4, 0xABCD05DC) == "Frag needed and DF set (mtu = 1500)");  // MTU: low 16 bits
  CHECK(text(5) == "Source Route Failed");
  CHECK(text(6) == "Destination Net Unknown");
  CHECK(text(7) == "Destination Host Unknown");
  CHECK(text(8) == "Source Host Isolated");
  CHECK(text(9) == "Destination Net Prohibited");
  CHECK(text(10) == "Destination Host Prohibited");
  CHECK(text(11) == "Destination Net Unreachable for Type of Service");
  CHECK(text(12) == "Destination Host Unreachable for Type of Service");
  CHECK(text(13) == "Packet filtered");
  CHECK(text(14) == "Precedence Violation");
  CHECK(text(15) == "Precedence Cutoff");
  CHECK(text(16) == "Dest Unreachable, Bad Code: 16");
  CHECK(text(255) == "Dest Unreachable, Bad Code: 255");
}

TEST_CASE("IPv4 other error texts", "[report]") {
  const auto text = [](std::uint8_t type, std::uint8_t code, std::uint32_t info = 0) {
    return report::describe_icmp_error(Family::v4, type, code, info);
  };
  CHECK(text(4, 0) == "Source Quench");
  // Redirect: the gateway follows with no space, as iputils prints it.
  CHECK(text(5, 0, 0xC0A80001) == "Redirect Network(New nexthop: 192.168.0.1)");
  CHECK(text(5, 1, 0x0A000002) == "Redirect Host(New nexthop: 10.0.0.2)");
  CHECK(text(5, 2, 0x0A000002) == "Redirect Type of Service and Network(New nexthop: 10.0.0.2)");
  CHECK(text(5, 3, 0x0A000002) == "Redirect Type of Service and Host(New nexthop: 10.0.0.2)");
  CHECK(text(5, 9, 0xFFFFFFFF) == "Redirect, Bad Code: 9(New nexthop: 255.255.255.255)");
  CHECK(text(11, 0) == "Time to live exceeded");
  CHECK(text(11, 1) == "Frag reassembly time exceeded");
  CHECK(text(11, 2) == "Time exceeded, Bad Code: 2");
  // Parameter problem: the pointer is the first byte of the word.
  CHECK(text(12, 0, 0x14000000) == "Parameter problem: pointer = 20");
  CHECK(text(12, 0, 0x000000FF) == "Parameter problem: pointer = 0");
  CHECK(text(0, 0) == "Echo Reply");
  CHECK(text(8, 0) == "Echo Request");
  CHECK(text(13, 0) == "Timestamp");
  CHECK(text(14, 0) == "Timestamp Reply");
  CHECK(text(15, 0) == "Information Request");
  CHECK(text(16, 0) == "Information Reply");
  CHECK(text(17, 0) == "Address Mask Request");
  CHECK(text(18, 0) == "Address Mask Reply");
  CHECK(text(42, 0) == "Bad ICMP type: 42");
}

TEST_CASE("IPv6 error texts", "[report]") {
  const auto text = [](std::uint8_t type, std::uint8_t code, std::uint32_t info = 0) {
    return report::describe_icmp_error(Family::v6, type, code, info);
  };
  CHECK(text(1, 0) == "Destination unreachable: No route");
  CHECK(text(1, 1) == "Destination unreachable: Administratively prohibited");
  CHECK(text(1, 2) == "Destination unreachable: Beyond scope of source address");
  CHECK(text(1, 3) == "Destination unreachable: Address unreachable");
  CHECK(text(1, 4) == "Destination unreachable: Port unreachable");
  CHECK(text(1, 5) == "Destination unreachable: Source address failed ingress/egress policy");
  CHECK(text(1, 6) == "Destination unreachable: Reject route to destination");
  CHECK(text(1, 7) == "Destination unreachable: Unknown code 7");
  CHECK(text(2, 0, 1280) == "Packet too big: mtu=1280");
  CHECK(text(2, 0, 70000) == "Packet too big: mtu=70000");  // the whole word
  CHECK(text(2, 3, 1280) == "Packet too big: mtu=1280, code=3");
  CHECK(text(3, 0) == "Time exceeded: Hop limit");
  CHECK(text(3, 1) == "Time exceeded: Defragmentation failure");
  CHECK(text(3, 2) == "Time exceeded: code 2");
  CHECK(text(4, 0, 40) == "Parameter problem: Wrong header field at 40");
  CHECK(text(4, 1, 6) == "Parameter problem: Unknown header at 6");
  CHECK(text(4, 2, 70000) == "Parameter problem: Unknown option at 70000");
  CHECK(text(4, 9, 1) == "Parameter problem: code 9 at 1");
  CHECK(text(128, 0) == "Echo request");
  CHECK(text(129, 0) == "Echo reply");
  CHECK(text(130, 0) == "MLD Query");
  CHECK(text(131, 0) == "MLD Report");
  CHECK(text(132, 0) == "MLD Reduction");
  CHECK(text(200, 0) == "unknown icmp type: 200");
}

TEST_CASE("error and no-answer lines", "[report]") {
  CHECK(report::error_line(std::nullopt, "198.51.100.1", 1, "Destination Host Unreachable") ==
        "From 198.51.100.1 icmp_seq=1 Destination Host Unreachable\n");
  CHECK(report::error_line("[1700000000.000001] ", "fe80::1", 65535, "Time exceeded: Hop limit") ==
        "[1700000000.000001] From fe80::1 icmp_seq=65535 Time exceeded: Hop limit\n");
  CHECK(report::no_answer_line(3) == "no answer yet for icmp_seq=3\n");
  CHECK(report::no_answer_line(0, "[1.000000] ") == "[1.000000] no answer yet for icmp_seq=0\n");
}

TEST_CASE("loss is C %g of a float", "[report]") {
  CHECK(report::format_loss(0.0) == "0");
  CHECK(report::format_loss(100.0) == "100");
  CHECK(report::format_loss(20.0) == "20");
  CHECK(report::format_loss(100.0 / 3.0) == "33.3333");
  CHECK(report::format_loss(200.0 / 3.0) == "66.6667");
  CHECK(report::format_loss(300.0 / 7.0) == "42.8571");
  CHECK(report::format_loss(400.0 / 7.0) == "57.1429");
  CHECK(report::format_loss(0.001) == "0.001");
  // 23 of 31 lost: the double 74.19354838... prints 74.1935, but iputils narrows to float
  // (74.193550...) first and prints 74.1936.
  CHECK(report::format_loss(2300.0 / 31.0) == "74.1936");
}

TEST_CASE("statistics block of a Debian ping run", "[report]") {
  // ping -c 3 -i 0.2 127.0.0.1 on Debian 12.
  const Statistics stats = run(3, {34, 44, 40});
  CHECK(report::statistics_block(summary_of(stats, 406123)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "3 packets transmitted, 3 received, 0% packet loss, time 406ms\n"
        "rtt min/avg/max/mdev = 0.034/0.039/0.044/0.004 ms\n");
}

TEST_CASE("statistics block without timing ends with an empty line", "[report]") {
  // ping -c 2 -s 8 127.0.0.1 on Debian 12.
  const Statistics stats = run(2, {});
  Statistics untimed;
  untimed.record_transmit();
  untimed.record_transmit();
  untimed.record_reply(std::nullopt, false);
  untimed.record_reply(std::nullopt, false);
  auto summary = summary_of(untimed, 1030400);
  summary.timing = false;
  CHECK(report::statistics_block(summary) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "2 packets transmitted, 2 received, 0% packet loss, time 1030ms\n"
        "\n");
  // Timed replies but -s below 16: the flag alone suppresses the rtt line.
  const Statistics timed = run(2, {10, 20});
  summary = summary_of(timed, 1000000);
  summary.timing = false;
  CHECK(report::statistics_block(summary) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n"
        "\n");
  // Nothing received: no rtt line either.
  CHECK(report::statistics_block(summary_of(stats, 1000999)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "2 packets transmitted, 0 received, 100% packet loss, time 1001ms\n"
        "\n");
}

TEST_CASE("statistics block when nothing was sent has no loss or time", "[report]") {
  const Statistics nothing;
  CHECK(report::statistics_block(summary_of(nothing, 0)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "0 packets transmitted, 0 received\n"
        "\n");
}

TEST_CASE("statistics block: time rounds half up to milliseconds", "[report]") {
  const Statistics stats = run(1, {});
  CHECK(report::statistics_block(summary_of(stats, 499)).find(", time 0ms\n") != std::string::npos);
  CHECK(report::statistics_block(summary_of(stats, 500)).find(", time 1ms\n") != std::string::npos);
  CHECK(report::statistics_block(summary_of(stats, 2003499)).find(", time 2003ms\n") != std::string::npos);
}

TEST_CASE("statistics block: duplicates, corrupted and errors in iputils' order", "[report]") {
  Statistics stats = run(3, {100});
  stats.record_reply(300, true);
  stats.record_corrupted();
  stats.record_error();
  stats.record_error();
  // Loss counts only first answers: (3 − 1) / 3. avg = (100 + 300) / 2, mdev = 100.
  CHECK(report::statistics_block(summary_of(stats, 2002000)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "3 packets transmitted, 1 received, +1 duplicates, +1 corrupted, +2 errors, "
        "66.6667% packet loss, time 2002ms\n"
        "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.100 ms\n");
}

TEST_CASE("statistics block: errors only, loss 100", "[report]") {
  Statistics stats = run(4, {});
  for (int i = 0; i < 4; ++i) stats.record_error();
  CHECK(report::statistics_block(summary_of(stats, 3004000)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3004ms\n"
        "\n");
}

TEST_CASE("statistics block: pipe after rtt, or alone", "[report]") {
  Statistics stats = run(4, {1500, 2500, 12345, 99999});
  stats.observe_in_flight(2);
  // S = 116344, avg = 29086; Q = 10,160,699,026; (4Q − S²) / 16 = 1,694,179,360 → mdev 41160.
  CHECK(report::statistics_block(summary_of(stats, 3000000)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "4 packets transmitted, 4 received, 0% packet loss, time 3000ms\n"
        "rtt min/avg/max/mdev = 1.500/29.086/99.999/41.160 ms, pipe 2\n");

  Statistics lost = run(3, {});
  lost.record_error();
  lost.observe_in_flight(3);
  CHECK(report::statistics_block(summary_of(lost, 2000000)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "3 packets transmitted, 0 received, +1 errors, 100% packet loss, time 2000ms\n"
        "pipe 3\n");

  // A pipe of 1 is never printed.
  Statistics single = run(1, {7});
  single.observe_in_flight(1);
  CHECK(report::statistics_block(summary_of(single, 0)) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
        "rtt min/avg/max/mdev = 0.007/0.007/0.007/0.000 ms\n");
}

TEST_CASE("statistics block: ipg/ewma of a Debian -i 0 run", "[report]") {
  // ping -c 3 -i 0 -q 127.0.0.1 on Debian 12 printed
  // "rtt min/avg/max/mdev = 0.003/0.005/0.010/0.003 ms, ipg/ewma 0.041/0.008 ms".
  // ipg = 83 µs / (3 − 1) = 41 µs; ewma 80 → 73 → 67, / 8 = 8 µs.
  const Statistics stats = run(3, {10, 3, 3});
  auto summary = summary_of(stats, 83);
  summary.show_ipg_ewma = true;
  CHECK(report::statistics_block(summary) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "3 packets transmitted, 3 received, 0% packet loss, time 0ms\n"
        "rtt min/avg/max/mdev = 0.003/0.005/0.010/0.003 ms, ipg/ewma 0.041/0.008 ms\n");
}

TEST_CASE("statistics block: ipg/ewma needs a reply and two sends", "[report]") {
  Statistics one = run(1, {10});
  auto summary = summary_of(one, 0);
  summary.show_ipg_ewma = true;
  CHECK(report::statistics_block(summary).find("ipg") == std::string::npos);

  Statistics none = run(5, {});
  summary = summary_of(none, 40000);
  summary.show_ipg_ewma = true;
  CHECK(report::statistics_block(summary).find("ipg") == std::string::npos);

  // Without timing it still appears, after pipe, with an ewma of zero.
  Statistics untimed = run(3, {});
  untimed.record_reply(std::nullopt, false);
  untimed.observe_in_flight(2);
  summary = summary_of(untimed, 20000);
  summary.timing = false;
  summary.show_ipg_ewma = true;
  CHECK(report::statistics_block(summary) ==
        "\n--- 127.0.0.1 ping statistics ---\n"
        "3 packets transmitted, 1 received, 66.6667% packet loss, time 20ms\n"
        "pipe 2, ipg/ewma 10.000/0.000 ms\n");

  // Not requested: absent even when it could be computed.
  Statistics timed = run(3, {10, 3, 3});
  CHECK(report::statistics_block(summary_of(timed, 83)).find("ipg") == std::string::npos);
}

TEST_CASE("progress line for SIGQUIT", "[report]") {
  Statistics stats = run(3, {40, 60});
  // loss = (3 − 2)·100 / 3 = 33 (integer); avg 50; ewma 320 → 320 + 60 − 40 = 340 → 42.
  CHECK(report::progress_line(stats, true) ==
        "\r2/3 packets, 33% loss, min/avg/ewma/max = 0.040/0.050/0.042/0.060 ms\n");
  CHECK(report::progress_line(stats, false) == "\r2/3 packets, 33% loss\n");
  CHECK(report::progress_line(run(3, {}), true) == "\r0/3 packets, 100% loss\n");
  CHECK(report::progress_line(Statistics{}, true) == "\r0/0 packets, 0% loss\n");
  // 2 of 3 lost: 66.67 truncates to 66.
  CHECK(report::progress_line(run(3, {1000}), true) ==
        "\r1/3 packets, 66% loss, min/avg/ewma/max = 1.000/1.000/1.000/1.000 ms\n");
}

TEST_CASE("header with -I / -B source and IPv6 flow label", "[report]") {
  report::Header header;
  header.name = "127.0.0.1";
  header.address = "127.0.0.1";
  header.source = "127.0.0.1";
  header.device = "lo";
  CHECK(report::header_line(header) == "PING 127.0.0.1 (127.0.0.1) from 127.0.0.1 lo: 56(84) bytes of data.\n");
  header.device.clear();
  header.ip_options_size = 40;
  CHECK(report::header_line(header) == "PING 127.0.0.1 (127.0.0.1) from 127.0.0.1 : 56(124) bytes of data.\n");
  report::Header v6;
  v6.family = uping::icmp::Family::v6;
  v6.name = "::1";
  v6.address = "::1";
  v6.flow_label = 5;
  CHECK(report::header_line(v6) == "PING ::1 (::1) , flow 0x00005, 56 data bytes\n");
  v6.source = "::1";
  CHECK(report::header_line(v6) == "PING ::1 (::1) , flow 0x00005, from ::1 : 56 data bytes\n");
}

TEST_CASE("PATTERN line", "[report]") {
  const std::vector<std::uint8_t> pattern = {0xab, 0x0c};
  CHECK(report::pattern_line(pattern) == "PATTERN: 0xab0c\n");
  CHECK(report::pattern_line({}) == "PATTERN: 0x\n");
}

TEST_CASE("reply time with -3: three decimals, truncated, at every size", "[report]") {
  CHECK(report::format_reply_time(50, true) == "0.050");
  CHECK(report::format_reply_time(1999, true) == "1.999");
  CHECK(report::format_reply_time(51149, true) == "51.149");
  CHECK(report::format_reply_time(251456, true) == "251.456");
  CHECK(report::format_reply_time(251456) == "251");
}

TEST_CASE("reply line suffixes in iputils' order", "[report]") {
  report::Reply reply;
  reply.icmp_bytes = 64;
  reply.from = "127.0.0.1";
  reply.sequence = 3;
  reply.ttl = 64;
  reply.rtt = 40;
  SECTION("truncated: no time, nothing after") {
    reply.icmp_bytes = 40;
    reply.truncated = true;
    reply.duplicate = true;
    reply.audible = true;
    CHECK(report::reply_line(reply) == "40 bytes from 127.0.0.1: icmp_seq=3 ttl=64 (truncated)\n");
  }
  SECTION("bad checksum, bell, options dump") {
    reply.bad_checksum = true;
    reply.audible = true;
    reply.ip_options = "\t(same route)";
    CHECK(report::reply_line(reply) ==
          "64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.040 ms (BAD CHECKSUM!)\a\t(same route)\n");
  }
  SECTION("-3 keeps three decimals") {
    reply.rtt = 12345;
    reply.precise_time = true;
    CHECK(report::reply_line(reply) == "64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=12.345 ms\n");
  }
  SECTION("wrong data byte: the report, then every byte after the timestamp area") {
    std::vector<std::uint8_t> received(52);
    for (std::size_t i = 0; i < received.size(); ++i) received[i] = static_cast<std::uint8_t>(i);
    received[20] = 0xee;
    reply.mismatch = uping::icmp::PayloadMismatch{20, 0x14, 0xee};
    reply.received_payload = received;
    CHECK(report::reply_line(reply) ==
          "64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.040 ms\n"
          "wrong data byte #20 should be 0x14 but was 0xee\n"
          "#16\t10 11 12 13 ee 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b "
          "2c 2d 2e 2f \n#48\t30 31 32 33 \n");
  }
}

TEST_CASE("IP options dump: record route, same route, timestamps", "[report]") {
  const auto dotted = [](std::uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) +
           "." + std::to_string(a & 255);
  };
  // What the kernel hands back for iputils' -R on loopback: the route recorded four times.
  std::vector<std::uint8_t> rr = {7, 39, 20};
  for (int hop = 0; hop < 4; ++hop) rr.insert(rr.end(), {127, 0, 0, 1});
  rr.resize(39, 0);
  report::IpOptionsPrinter printer;
  CHECK(printer.format(rr, false, dotted) == "\nRR: \t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n");
  CHECK(printer.format(rr, false, dotted) == "\t(same route)");
  CHECK(printer.format(rr, true, dotted) == "\nRR: \t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n");
  // tsonly with one stamp, 0x01020304 ms, and three empty slots (pointer past the first).
  std::vector<std::uint8_t> ts = {68, 40, 9, 0, 1, 2, 3, 4};
  ts.resize(40, 0);
  CHECK(report::IpOptionsPrinter().format(ts, false, dotted) == "\nTS: \t16909060 absolute\n");
  std::vector<std::uint8_t> two = {68, 40, 13, 0x10, 0, 0, 0, 100, 0, 0, 0, 150};
  two.resize(40, 0);
  CHECK(report::IpOptionsPrinter().format(two, false, dotted) == "\nTS: \t100 absolute\n\t50\nUnrecorded hops: 1\n");
  CHECK(report::IpOptionsPrinter().format(std::vector<std::uint8_t>{1, 0}, false, dotted) == "\nNOP");
  CHECK(report::IpOptionsPrinter().format(std::vector<std::uint8_t>{99, 2}, false, dotted) == "\nunknown option 63");
}
