#include <stdlib.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/book.hpp"
#include "fping/format.hpp"
#include "fping/icmp_text.hpp"
#include "fping/json.hpp"
#include "fping_book_support.hpp"

// The Book's text pieces against fping 5.5's src/output.c, src/stats.c and src/fping.c: sprint_tm's
// boundaries, the -D / -Q clock forms (TZ fixed to UTC here), -J records byte for byte (with the one
// deliberate difference, real escaping), and the ICMP error words.

namespace {

using namespace uping::fping;
using fping_book_test::kMicro;
using fping_book_test::kMilli;

WallClock at_nanos(std::int64_t ns) {
  return WallClock(std::chrono::duration_cast<WallClock::duration>(std::chrono::nanoseconds(ns)));
}

void utc() {
  setenv("TZ", "UTC", 1);
  tzset();
}

FpingOptions options_with(void (*change)(FpingOptions&)) {
  FpingOptions options;
  change(options);
  return options;
}

}  // namespace

TEST_CASE("fping book: sprint_tm picks its precision before rounding") {
  CHECK(format_ms(0) == "0.000");
  CHECK(format_ms(37 * kMicro) == "0.037");
  CHECK(format_ms(999'600) == "1.000");  // below 1 ms: three decimals, rounded up to 1.000
  CHECK(format_ms(kMilli) == "1.00");
  CHECK(format_ms(1'500'000) == "1.50");
  CHECK(format_ms(9'996'000) == "10.00");  // below 10 ms: two decimals
  CHECK(format_ms(12'340'000) == "12.3");
  CHECK(format_ms(99'960'000) == "100.0");
  CHECK(format_ms(123'400'000) == "123");
  CHECK(format_ms(999'999'600'000) == "1000000");
  CHECK(format_ms(1'000'000 * kMilli) == "1.000e+06");
  CHECK(format_ms(INT64_MAX) == "9.223e+12");
  CHECK(format_ms(-5 * kMilli) == "-5");
  CHECK(format_ms(-500 * kMicro) == "-0.5");
  CHECK(format_ms(-1234 * kMilli) == "-1.2e+03");
}

TEST_CASE("fping book: averages keep 64 bits where fping's C int wraps") {
  CHECK(int_average(3 * kMilli, 2) == 1'500'000);
  CHECK(int_average(0, 0) == 0);
  // A 3 s average: fping's `int avg` would hold 3'000'000'000 - 2^32 and print a negative figure.
  CHECK(int_average(3'000 * kMilli, 1) == 3'000'000'000LL);
  CHECK(int_average(7'000 * kMilli + 1, 2) == 3'500'000'000LL);
}

TEST_CASE("fping book: -D epoch and the --timestamp-format forms, local time") {
  utc();
  const WallClock when = at_nanos(1'796'118'965'086'030'000);
  CHECK(timestamp_prefix(TimestampFormat::epoch, when) == "[1796118965.08603] ");
  CHECK(timestamp_prefix(TimestampFormat::ctime, when) == "[Tue Dec  1 09:56:05 2026] ");
  CHECK(timestamp_prefix(TimestampFormat::iso, when) == "[2026-12-01T09:56:05+0000] ");
  CHECK(timestamp_prefix(TimestampFormat::rfc3339, when) == "[2026-12-01 09:56:05] ");
  CHECK(json_timestamp_field(TimestampFormat::epoch, when) == "\"timestamp\": \"1796118965.08603\", ");
  CHECK(json_timestamp_field(TimestampFormat::iso, when) == "\"timestamp\": \"2026-12-01T09:56:05+0000\", ");
  CHECK(clock_line(at_nanos(1'796'119'000'000'000'000)) == "[09:56:40]\n");
  CHECK(clock_line(at_nanos(1'796'083'200'000'000'000)) == "[00:00:00]\n");
  setenv("TZ", "UTC-2", 1);  // POSIX: two hours east of UTC
  tzset();
  CHECK(timestamp_prefix(TimestampFormat::iso, when) == "[2026-12-01T11:56:05+0200] ");
  CHECK(clock_line(at_nanos(1'796'119'000'000'000'000)) == "[11:56:40]\n");
  CHECK(timestamp_prefix(TimestampFormat::epoch, when) == "[1796118965.08603] ");  // epoch: no zone
  utc();
}

TEST_CASE("fping book: loss truncates and more replies than probes read as return") {
  CHECK(loss_or_return(3, 2, 2) == "33% loss)");
  CHECK(loss_or_return(3, 0, 0) == "100% loss)");
  CHECK(loss_or_return(2, 3, 4) == "200% return)");  // from the replies including invalid ones
  Tally over;
  over.sent = 2;
  over.received = 3;
  over.min_rtt = over.max_rtt = kMilli;
  over.total_rtt = 3 * kMilli;
  CHECK(summary_line("h", over, true, 100 * kMilli) ==
        "h : xmt/rcv/%return = 2/3/150%, min/avg/max = 1.00/1.00/1.00\n");  // no outage field
  CHECK(json::summary("h", over, true, 100 * kMilli) ==
        "{\"summary\": {\"host\": \"h\", \"xmt\": 2, \"rcv\": 3, \"return\": 150, \"rttMin\": 1.00, \"rttAvg\": 1.00, "
        "\"rttMax\": 1.00}}\n");
  CHECK(json::interval_summary("h", over, true, 100 * kMilli, at_nanos(5'000'000'000)) ==
        "{\"intSum\": {\"time\": 5,\"host\": \"h\", \"xmt\": 2, \"rcv\": 3, \"loss\": 150, \"rttMin\": 1.00, "
        "\"rttAvg\": 1.00, \"rttMax\": 1.00}}\n");
  CHECK(reply_text("h", 4, 64, kMilli, kMilli, 2, 3, 4) == "h : [4], 64 bytes, 1.00 ms (1.00 avg, 200% return)");
  Tally none;
  CHECK(summary_line("h  ", none, false, 0) == "h   : xmt/rcv/%loss = 0/0/0%\n");
}

TEST_CASE("fping book: JSON strings are escaped (fping inserts them raw)") {
  CHECK(json::quoted("plain.example") == "\"plain.example\"");
  CHECK(json::quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json::quoted(std::string("x\ty\n\x01\x1f", 6)) == "\"x\\ty\\n\\u0001\\u001f\"");
  CHECK(json::quoted("b\bf\fr\r") == "\"b\\bf\\fr\\r\"");
  CHECK(json::quoted("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // UTF-8 stays as it is
  CHECK(json::warning("bad\"name", "Name or service not known") ==
        "{\"warning\": {\"host\": \"bad\\\"name\", \"message\": \"Name or service not known\"}}\n");
}

TEST_CASE("fping book: every -J record byte for byte") {
  utc();
  const WallClock when = at_nanos(1'796'118'965'086'030'000);
  const FpingOptions plain;
  CHECK(json::reply(plain, "127.0.0.1", 0, 64, 54 * kMicro, when, std::nullopt, std::nullopt) ==
        "{\"resp\": {\"host\": \"127.0.0.1\", \"seq\": 0, \"size\": 64, \"rtt\": 0.054}}\n");
  const auto stamped = options_with([](FpingOptions& o) { o.timestamp = true; });
  CHECK(json::reply(stamped, "h", 2, 1008, 5'120 * kMicro, when, std::nullopt, std::nullopt) ==
        "{\"resp\": {\"timestamp\": \"1796118965.08603\", \"host\": \"h\", \"seq\": 2, \"size\": 1008, \"rtt\": "
        "5.12}}\n");
  const auto both = options_with([](FpingOptions& o) { o.print_tos = o.print_ttl = true; });
  CHECK(json::reply(both, "h", 0, 64, kMilli, when, 64, 16) ==
        "{\"resp\": {\"host\": \"h\", \"seq\": 0, \"size\": 64, \"rtt\": 1.00, \"tos\": 16, \"ttl\": 64}}\n");
  CHECK(json::reply(both, "h", 0, 64, kMilli, when, std::nullopt, std::nullopt) ==
        "{\"resp\": {\"host\": \"h\", \"seq\": 0, \"size\": 64, \"rtt\": 1.00, \"tos\": -1, \"ttl\": -1}}\n");
  CHECK(json::timeout(plain, "::1", 3, when) == "{\"timeout\": {\"host\": \"::1\", \"seq\": 3}}\n");
  const auto rfc = options_with([](FpingOptions& o) {
    o.timestamp = true;
    o.timestamp_format = TimestampFormat::rfc3339;
  });
  CHECK(json::timeout(rfc, "::1", 3, when) ==
        "{\"timeout\": {\"timestamp\": \"2026-12-01 09:56:05\", \"host\": \"::1\", \"seq\": 3}}\n");

  Tally tally;
  tally.sent = 5;
  tally.received = 4;
  tally.min_rtt = 45 * kMicro;
  tally.max_rtt = 81 * kMicro;
  tally.total_rtt = 248 * kMicro;
  CHECK(json::summary("127.0.0.1", tally, false, kMilli * 1000) ==
        "{\"summary\": {\"host\": \"127.0.0.1\", \"xmt\": 5, \"rcv\": 4, \"loss\": 20, \"rttMin\": 0.045, \"rttAvg\": "
        "0.062, \"rttMax\": 0.081}}\n");
  CHECK(json::summary("127.0.0.1", tally, true, kMilli * 1000) ==
        "{\"summary\": {\"host\": \"127.0.0.1\", \"xmt\": 5, \"rcv\": 4, \"loss\": 20, \"outage(ms)\": 1000, "
        "\"rttMin\": 0.045, \"rttAvg\": 0.062, \"rttMax\": 0.081}}\n");
  Tally lost;
  lost.sent = 2;
  CHECK(json::summary("::1", lost, false, 0) ==
        "{\"summary\": {\"host\": \"::1\", \"xmt\": 2, \"rcv\": 0, \"loss\": 100}}\n");
  CHECK(json::all_rtts("127.0.0.1", {54 * kMicro, 62 * kMicro, kRespTimeout, 81 * kMicro}, 4) ==
        "{\"vSum\": {\"host\": \"127.0.0.1\", \"values\": [0.054, 0.062, null, 0.081]}}\n");
  CHECK(json::all_rtts("h", {kRespError}, 1) == "{\"vSum\": {\"host\": \"h\", \"values\": [null]}}\n");
  CHECK(json::all_rtts("h", {}, 0) == "{\"vSum\": {\"host\": \"h\", \"values\": []}}\n");
  CHECK(json::interval_summary("127.0.0.1", tally, true, 100 * kMilli, at_nanos(1'733'560'000'500'000'000)) ==
        "{\"intSum\": {\"time\": 1733560000,\"host\": \"127.0.0.1\", \"xmt\": 5, \"rcv\": 4, \"loss\": 20, "
        "\"outage(ms)\": 100, \"rttMin\": 0.045, \"rttAvg\": 0.062, \"rttMax\": 0.081}}\n");
  CHECK(json::interval_summary("::1", Tally{}, false, 0, at_nanos(7'000'000'000)) ==
        "{\"intSum\": {\"time\": 7,\"host\": \"::1\", \"xmt\": 0, \"rcv\": 0, \"loss\": 0}}\n");

  GlobalTally global;
  global.targets = 1;
  global.alive = 1;
  global.echos_sent = 5;
  global.replies_received = 5;
  global.min_rtt = 45 * kMicro;
  global.max_rtt = 81 * kMicro;
  global.sum_rtt = 310 * kMicro;
  global.replies_timed = 5;
  global.elapsed = 5'012 * kMilli;
  CHECK(json::stats(global) ==
        "{\"stats\": {\"targets\": 1, \"alive\": 1, \"unreachable\": 0, \"unknownAddresses\": 0, \"timeouts\": 0, "
        "\"icmpEchosSent\": 5, \"icmpEchoRepliesReceived\": 5, \"otherIcmpReceived\": 0, \"rttMin\": 0.045, "
        "\"rttAvg\": 0.062, \"rttMax\": 0.081, \"elapsed\": 5.012}}\n");
  GlobalTally empty;
  CHECK(json::stats(empty) ==
        "{\"stats\": {\"targets\": 0, \"alive\": 0, \"unreachable\": 0, \"unknownAddresses\": 0, \"timeouts\": 0, "
        "\"icmpEchosSent\": 0, \"icmpEchoRepliesReceived\": 0, \"otherIcmpReceived\": 0, \"rttMin\": 0.000, "
        "\"rttAvg\": 0.000, \"rttMax\": 0.000, \"elapsed\": 0.000}}\n");
}

TEST_CASE("fping book: ICMPv4 error texts by type and code") {
  const auto line = [](std::uint8_t type, std::uint8_t code) {
    return icmp_error_line(IcmpErrorReport{false, type, code, "198.51.100.1"}, "target");
  };
  const std::string tail = " from 198.51.100.1 for ICMP Echo sent to target\n";
  CHECK(line(3, 0) == "ICMP Network Unreachable" + tail);
  CHECK(line(3, 1) == "ICMP Host Unreachable" + tail);
  CHECK(line(3, 2) == "ICMP Protocol Unreachable" + tail);
  CHECK(line(3, 3) == "ICMP Port Unreachable" + tail);
  CHECK(line(3, 4) == "ICMP Unreachable (Fragmentation Needed)" + tail);
  CHECK(line(3, 9) == "ICMP Unreachable (Communication with Network Prohibited)" + tail);
  CHECK(line(3, 13) == "ICMP Unreachable (Communication Administratively Prohibited)" + tail);
  CHECK(line(3, 15) == "ICMP Unreachable (Precedence cutoff in effect)" + tail);
  CHECK(line(3, 16) == "ICMP Unreachable (Invalid Code)" + tail);
  CHECK(line(3, 255) == "ICMP Unreachable (Invalid Code)" + tail);
  CHECK(line(4, 0) == "ICMP Source Quench" + tail);
  CHECK(line(5, 1) == "ICMP Redirect" + tail);
  CHECK(line(11, 0) == "ICMP Time Exceeded" + tail);
  CHECK(line(11, 1) == "ICMP Time Exceeded" + tail);
  CHECK(line(12, 0) == "ICMP Parameter Problem" + tail);
  CHECK_FALSE(line(8, 0).has_value());  // fping names only the types above
  CHECK_FALSE(line(0, 0).has_value());
}

TEST_CASE("fping book: ICMPv6 error texts (fping 5.5, #391)") {
  const auto line = [](std::uint8_t type, std::uint8_t code) {
    return icmp_error_line(IcmpErrorReport{true, type, code, "2001:db8::1"}, "2001:db8::2");
  };
  const std::string tail = " from 2001:db8::1 for ICMPv6 Echo Request sent to 2001:db8::2\n";
  CHECK(line(1, 0) == "ICMPv6 Destination Unreachable (No route to destination)" + tail);
  CHECK(line(1, 1) ==
        "ICMPv6 Destination Unreachable (Communication with destination administratively prohibited)" + tail);
  CHECK(line(1, 3) == "ICMPv6 Destination Unreachable (Address unreachable)" + tail);
  CHECK(line(1, 4) == "ICMPv6 Destination Unreachable (Port unreachable)" + tail);
  CHECK(line(1, 9) == "ICMPv6 Destination Unreachable (Error in P-Route)" + tail);
  CHECK(line(1, 10) == "ICMPv6 Destination Unreachable (Code 10)" + tail);
  CHECK(line(2, 0) == "ICMPv6 Packet Too Big" + tail);
  CHECK(line(3, 0) == "ICMPv6 Time Exceeded (Hop limit exceeded in transit)" + tail);
  CHECK(line(3, 1) == "ICMPv6 Time Exceeded (Fragment reassembly time exceeded)" + tail);
  CHECK(line(3, 2) == "ICMPv6 Time Exceeded (Code 2)" + tail);
  CHECK(line(4, 0) == "ICMPv6 Parameter Problem (Erroneous header field encountered)" + tail);
  CHECK(line(4, 10) == "ICMPv6 Parameter Problem (Option too big)" + tail);
  CHECK(line(4, 11) == "ICMPv6 Parameter Problem (Code 11)" + tail);
  CHECK(line(137, 0) == "ICMPv6 Type 137 Code 0" + tail);
}

TEST_CASE("fping book: -s block figures and widths") {
  GlobalTally tally;
  tally.targets = 12345678;  // wider than %7d: printed whole
  tally.elapsed = 123'456'789'012;
  const std::string block = global_stats_block(tally);
  CHECK(block.rfind("\n 12345678 targets\n", 0) == 0);
  CHECK(block.find("\n 0.000 ms (min round trip time)\n 0.000 ms (avg round trip time)\n") != std::string::npos);
  CHECK(block.find("\n      123.457 sec (elapsed real time)\n\n") != std::string::npos);
}

TEST_CASE("fping book: --print-tos and --print-ttl texts, send error text") {
  const auto both = options_with([](FpingOptions& o) { o.print_tos = o.print_ttl = true; });
  CHECK(tos_ttl_text(both, 64, 0) == " (TOS 0) (TTL 64)");
  CHECK(tos_ttl_text(both, std::nullopt, std::nullopt) == " (TOS unknown) (TTL unknown)");
  CHECK(tos_ttl_text(FpingOptions{}, 64, 0).empty());
  CHECK(error_text(ENETUNREACH) == "Network is unreachable");
}

TEST_CASE("fping book: -N netdata blocks declare their charts once") {
  Tally tally;
  tally.sent = 5;
  tally.received = 4;
  tally.min_rtt = 45'000;
  tally.max_rtt = 81'000;
  tally.total_rtt = 248'000;
  const std::string first = netdata_block("host-1.example", "host-1.example", tally, 2'000 * kMilli, true);
  CHECK(
      first ==
      "CHART fping.host_1_example_packets '' 'FPing Packets' packets 'host-1.example' fping.packets line 110020 2\n"
      "DIMENSION xmt sent absolute 1 1\n"
      "DIMENSION rcv received absolute 1 1\n"
      "BEGIN fping.host_1_example_packets\nSET xmt = 5\nSET rcv = 4\nEND\n"
      "CHART fping.host_1_example_quality '' 'FPing Quality' percentage 'host-1.example' fping.quality area 110010 2\n"
      "DIMENSION returned '' absolute 1 1\n"
      "BEGIN fping.host_1_example_quality\nSET returned = 80\nEND\n"
      "CHART fping.host_1_example_latency '' 'FPing Latency' ms 'host-1.example' fping.latency area 110000 2\n"
      "DIMENSION min minimum absolute 1 1000000\n"
      "DIMENSION max maximum absolute 1 1000000\n"
      "DIMENSION avg average absolute 1 1000000\n"
      "BEGIN fping.host_1_example_latency\nSET min = 45000\nSET avg = 62000\nSET max = 81000\nEND\n");
  CHECK(netdata_block("h", "h", Tally{}, kMilli * 1000, false) ==
        "BEGIN fping.h_packets\nSET xmt = 0\nSET rcv = 0\nEND\n"
        "BEGIN fping.h_quality\nSET returned = 0\nEND\n"
        "BEGIN fping.h_latency\nEND\n");
}
