#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/book.hpp"
#include "fping/options.hpp"
#include "fping_book_support.hpp"

// The Book's rules that fping's 5.1 samples cannot show (loopback makes no duplicates, foreign
// replies or ICMP errors, and 5.1 has no -J): from fping 5.5's src/fping.c (wait_for_reply,
// decode_icmp_*, add_name, finish), src/output.c and src/stats.c.

namespace {

using namespace uping::fping;
using namespace fping_book_test;

struct Run : Printed {
  Book book;

  Run(const Args& args, const std::vector<Target>& list) : book(options(args), list, 0) {}

  void reply(std::size_t target, std::uint32_t seq, Nanos rtt, const std::string& from, std::optional<int> ttl = {},
             std::optional<int> tos = {}) {
    take(book.reply(target, seq, rtt, 64, from, kNow, ttl, tos));
  }
  void duplicate(std::size_t target, std::uint32_t seq, Nanos rtt, const std::string& from) {
    take(book.duplicate(target, seq, rtt, 64, from, kNow));
  }
};

const std::vector<Target> kOne = {Target{"192.0.2.5", "192.0.2.5", {}}};
const std::vector<Target> kTwo = {Target{"192.0.2.5", "192.0.2.5", {}}, Target{"router.example", "198.51.100.9", {}}};

}  // namespace

TEST_CASE("fping book: a reply from another address gets its marker on stderr before the line") {
  Run count({"-c", "1"}, kOne);
  count.take(count.book.sent(0, 0));
  count.reply(0, 0, 2 * kMilli, "198.51.100.1");
  CHECK(count.streams == std::vector<Stream>{Stream::err, Stream::out});
  CHECK(count.err == " [<- 198.51.100.1]");
  CHECK(count.merged == " [<- 198.51.100.1]192.0.2.5 : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n");

  Run alive({}, kOne);
  alive.take(alive.book.sent(0, 0));
  alive.reply(0, 0, 2 * kMilli, "198.51.100.1");
  CHECK(alive.merged == " [<- 198.51.100.1]192.0.2.5 is alive\n");

  Run same({"-c", "1"}, {Target{"fe80::1%lo", "fe80::1%lo", {}}});
  same.take(same.book.sent(0, 0));
  same.reply(0, 0, 2 * kMilli, "fe80::1");  // the scope is not part of fping's comparison
  CHECK(same.err.empty());

  Run quiet({"-c", "1", "-q"}, kOne);  // no line, no marker
  quiet.take(quiet.book.sent(0, 0));
  quiet.reply(0, 0, 2 * kMilli, "198.51.100.1");
  CHECK(quiet.merged.empty());
}

TEST_CASE("fping book: --check-source drops replies from elsewhere, counted only as received") {
  Run run({"-c", "1", "--check-source", "-s"}, kOne);
  run.take(run.book.sent(0, 0));
  run.reply(0, 0, 2 * kMilli, "198.51.100.1");
  run.take(run.book.timeout(0, 0, kNow));
  CHECK(run.out == "192.0.2.5 : [0], timed out (NaN avg, 100% loss)\n");
  run.take(run.book.finish(0));
  CHECK(run.err.find("       1 timeouts (waiting for response)\n       1 ICMP Echos sent\n"
                     "       1 ICMP Echo Replies received\n") != std::string::npos);
}

TEST_CASE("fping book: duplicates in the default mode print on stderr, unpadded, seq 0") {
  Run run({}, kTwo);
  run.take(run.book.sent(1, 0));
  run.reply(1, 0, 2 * kMilli, "198.51.100.9");
  run.duplicate(1, 0, 3 * kMilli, "198.51.100.9");
  run.duplicate(1, 0, 4 * kMilli, "203.0.113.4");
  CHECK(run.out == "router.example is alive\n");
  CHECK(run.err ==
        "router.example : duplicate for [0], 64 bytes, 3.00 ms\n"
        "router.example : duplicate for [0], 64 bytes, 4.00 ms [<- 203.0.113.4]\n");
  // A retry's probe number stays fping's 0.
  Run retried({}, kOne);
  retried.take(retried.book.sent(0, 0));
  retried.take(retried.book.timeout(0, 0, kNow));
  retried.take(retried.book.sent(0, 1));
  retried.reply(0, 1, 2 * kMilli, "192.0.2.5");
  retried.duplicate(0, 1, 3 * kMilli, "192.0.2.5");
  CHECK(retried.err == "192.0.2.5 : duplicate for [0], 64 bytes, 3.00 ms\n");
}

TEST_CASE("fping book: duplicates in count mode: silent with lines and with -q, never counted as probes") {
  Run lines({"-c", "2", "-s"}, kOne);
  lines.take(lines.book.sent(0, 0));
  lines.reply(0, 0, 2 * kMilli, "192.0.2.5");
  lines.duplicate(0, 0, 3 * kMilli, "192.0.2.5");
  lines.take(lines.book.sent(0, 1));
  lines.reply(0, 1, 4 * kMilli, "192.0.2.5");
  lines.take(lines.book.finish(0));
  CHECK(lines.out ==
        "192.0.2.5 : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n"
        "192.0.2.5 : [1], 64 bytes, 4.00 ms (3.00 avg, 0% loss)\n");
  CHECK(lines.err.rfind("\n192.0.2.5 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 2.00/3.00/4.00\n", 0) == 0);
  CHECK(lines.err.find("       2 ICMP Echos sent\n       3 ICMP Echo Replies received\n") != std::string::npos);

  // fping 5.5 (#392) skips its duplicate test with -c -q and counts the duplicate as one more probe
  // answered (3/3 here; -C shows its time in place of the first's): uping hides it and counts nothing.
  Run quiet({"-c", "2", "-q"}, kOne);
  quiet.take(quiet.book.sent(0, 0));
  quiet.reply(0, 0, 2 * kMilli, "192.0.2.5");
  quiet.duplicate(0, 0, 3 * kMilli, "198.51.100.1");
  quiet.take(quiet.book.sent(0, 1));
  quiet.reply(0, 1, 4 * kMilli, "192.0.2.5");
  quiet.take(quiet.book.finish(0));
  CHECK(quiet.merged == "192.0.2.5 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 2.00/3.00/4.00\n");

  Run all({"-C", "2", "-q"}, kOne);
  all.take(all.book.sent(0, 0));
  all.reply(0, 0, 2 * kMilli, "192.0.2.5");
  all.duplicate(0, 0, 3 * kMilli, "192.0.2.5");
  all.take(all.book.sent(0, 1));
  all.reply(0, 1, 4 * kMilli, "192.0.2.5");
  all.take(all.book.finish(0));
  CHECK(all.merged == "192.0.2.5 : 2.00 4.00\n");
}

TEST_CASE("fping book: loop mode reports a duplicate as one, never as another probe answered") {
  // fping 5.5 prints it as one more reply line and counts it in xmt and rcv (2/2 for one probe).
  Run run({"-l", "-p", "1000"}, kOne);
  run.take(run.book.sent(0, 0));
  run.reply(0, 0, 2 * kMilli, "192.0.2.5");
  run.duplicate(0, 0, 4 * kMilli, "192.0.2.5");
  run.take(run.book.finish(0));
  CHECK(run.out == "192.0.2.5 : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n");
  CHECK(run.err ==
        "192.0.2.5 : duplicate for [0], 64 bytes, 4.00 ms\n"
        "\n192.0.2.5 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 2.00/2.00/2.00\n");

  Run quiet({"-l", "-Q", "5", "-p", "1000"}, kOne);
  quiet.take(quiet.book.sent(0, 0));
  quiet.reply(0, 0, 2 * kMilli, "192.0.2.5");
  quiet.duplicate(0, 0, 4 * kMilli, "192.0.2.5");
  quiet.take(quiet.book.finish(0));
  CHECK(quiet.merged == "192.0.2.5 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 2.00/2.00/2.00\n");
}

TEST_CASE("fping book: replies later than the timeout are dropped") {
  Run run({"-l", "-p", "1000", "-t", "100", "-s"}, kOne);
  run.take(run.book.sent(0, 0));
  run.reply(0, 0, 2 * kMilli, "192.0.2.5");
  run.duplicate(0, 0, 150 * kMilli, "192.0.2.5");  // a duplicate, however late: reported as one
  run.take(run.book.sent(0, 1));
  run.take(run.book.timeout(0, 1, kNow));
  run.reply(0, 1, 120 * kMilli, "192.0.2.5");  // after its timeout
  run.take(run.book.finish(0));
  CHECK(run.out ==
        "192.0.2.5 : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n"
        "192.0.2.5 : [1], timed out (2.00 avg, 50% loss)\n");
  CHECK(run.err.rfind("192.0.2.5 : duplicate for [0], 64 bytes, 150 ms\n"
                      "\n192.0.2.5 : xmt/rcv/%loss = 2/1/50%, min/avg/max = 2.00/2.00/2.00\n",
                      0) == 0);
  CHECK(run.err.find("       3 ICMP Echo Replies received\n") != std::string::npos);
}

TEST_CASE("fping book: --print-ttl and --print-tos follow the line, -e only without per-reply lines") {
  Run count({"-c", "1", "--print-ttl", "--print-tos"}, kOne);
  count.take(count.book.sent(0, 0));
  count.reply(0, 0, 2 * kMilli, "192.0.2.5", 63, 0);
  CHECK(count.out == "192.0.2.5 : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss) (TOS 0) (TTL 63)\n");

  Run alive({"-e", "--print-ttl"}, kOne);
  alive.take(alive.book.sent(0, 0));
  alive.reply(0, 0, 2 * kMilli, "192.0.2.5");
  CHECK(alive.out == "192.0.2.5 is alive (TTL unknown) (2.00 ms)\n");
}

TEST_CASE("fping book: -a and -u have no effect with -c in 5.5") {
  Run run({"-a", "-c", "1"}, kTwo);
  run.take(run.book.sent(0, 0));
  run.reply(0, 0, 2 * kMilli, "192.0.2.5");
  run.take(run.book.sent(1, 0));
  run.take(run.book.timeout(1, 0, kNow));
  run.take(run.book.finish(0));
  CHECK(run.out ==
        "192.0.2.5      : [0], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n"
        "router.example : [0], timed out (NaN avg, 100% loss)\n");
  CHECK(run.err ==
        "\n192.0.2.5      : xmt/rcv/%loss = 1/1/0%, min/avg/max = 2.00/2.00/2.00\n"
        "router.example : xmt/rcv/%loss = 1/0/100%\n");
}

TEST_CASE("fping book: ICMP errors on stderr unless -q, counted as other ICMP, the probe still times out") {
  Run run({"-c", "1", "-s"}, kTwo);
  run.take(run.book.sent(1, 0));
  run.take(run.book.icmp_error(1, 0, IcmpErrorReport{false, 3, 1, "203.0.113.1"}));
  run.take(run.book.icmp_error(1, 0, IcmpErrorReport{false, 8, 0, "203.0.113.1"}));  // not one fping names
  run.take(run.book.timeout(1, 0, kNow));
  CHECK(run.merged ==
        "ICMP Host Unreachable from 203.0.113.1 for ICMP Echo sent to router.example\n"
        "router.example : [0], timed out (NaN avg, 100% loss)\n");
  run.take(run.book.finish(0));
  CHECK(run.err.find("       1 other ICMP received\n") != std::string::npos);

  Run quiet({"-c", "1", "-q", "-s"}, kTwo);
  quiet.take(quiet.book.sent(1, 0));
  quiet.take(quiet.book.icmp_error(1, 0, IcmpErrorReport{true, 1, 3, "2001:db8::1"}));
  CHECK(quiet.merged.empty());
  quiet.take(quiet.book.timeout(1, 0, kNow));
  quiet.take(quiet.book.finish(0));
  CHECK(quiet.err.find("       1 other ICMP received\n") != std::string::npos);
}

TEST_CASE("fping book: -J records from the Book, no blank line, stats and warnings on stdout") {
  Run run({"-J", "-C", "2", "-s"}, {Target{"we\"ird\\name", "192.0.2.5", {}}});
  run.take(run.book.sent(0, 0));
  run.reply(0, 0, 54 * kMicro, "192.0.2.5");
  run.take(run.book.sent(0, 1));
  run.take(run.book.timeout(0, 1, kNow));
  run.take(run.book.finish(2 * kMilli));
  CHECK(run.err.empty());
  CHECK(run.out ==
        "{\"resp\": {\"host\": \"we\\\"ird\\\\name\", \"seq\": 0, \"size\": 64, \"rtt\": 0.054}}\n"
        "{\"timeout\": {\"host\": \"we\\\"ird\\\\name\", \"seq\": 1}}\n"
        "{\"vSum\": {\"host\": \"we\\\"ird\\\\name\", \"values\": [0.054, null]}}\n"
        "{\"stats\": {\"targets\": 1, \"alive\": 1, \"unreachable\": 0, \"unknownAddresses\": 0, \"timeouts\": 1, "
        "\"icmpEchosSent\": 2, \"icmpEchoRepliesReceived\": 1, \"otherIcmpReceived\": 0, \"rttMin\": 0.054, "
        "\"rttAvg\": 0.054, \"rttMax\": 0.054, \"elapsed\": 0.002}}\n");

  Run summary({"-J", "-c", "1", "-o", "-D"}, kOne);
  summary.take(summary.book.sent(0, 0));
  summary.reply(0, 0, 2 * kMilli, "198.51.100.1");
  summary.take(summary.book.finish(0));
  CHECK(summary.err == " [<- 198.51.100.1]");  // fping writes the marker in JSON mode too
  CHECK(summary.out ==
        "{\"resp\": {\"timestamp\": \"1796118965.00000\", \"host\": \"192.0.2.5\", \"seq\": 0, \"size\": 64, "
        "\"rtt\": 2.00}}\n"
        "{\"summary\": {\"host\": \"192.0.2.5\", \"xmt\": 1, \"rcv\": 1, \"loss\": 0, \"outage(ms)\": 0, \"rttMin\": "
        "2.00, \"rttAvg\": 2.00, \"rttMax\": 2.00}}\n");

  Run interval({"-J", "-l", "-Q", "5"}, kOne);
  interval.take(interval.book.sent(0, 0));
  interval.reply(0, 0, 2 * kMilli, "192.0.2.5");
  interval.take(interval.book.interval_report(kNow));
  CHECK(interval.out ==
        "{\"intSum\": {\"time\": 1796118965,\"host\": \"192.0.2.5\", \"xmt\": 1, \"rcv\": 1, \"loss\": 0, "
        "\"rttMin\": 2.00, \"rttAvg\": 2.00, \"rttMax\": 2.00}}\n");
}

TEST_CASE("fping book: name errors on stderr unless -q, plus the JSON warning record") {
  const auto plain = name_error(options({}), "no.such.host", "Name or service not known");
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].stream == Stream::err);
  CHECK(plain[0].text == "no.such.host: Name or service not known\n");
  CHECK(name_error(options({"-q"}), "no.such.host", "Name or service not known").empty());
  const auto json = name_error(options({"-J", "-c", "1", "-q"}), "bad\x01name", "Name or service not known");
  REQUIRE(json.size() == 1);
  CHECK(json[0].stream == Stream::out);
  CHECK(json[0].text == "{\"warning\": {\"host\": \"bad\\u0001name\", \"message\": \"Name or service not known\"}}\n");
  CHECK(name_error(options({"-J", "-c", "1"}), "x", "m").size() == 2);
}

TEST_CASE("fping book: -N netdata on the -Q timer, the -Q text on SIGQUIT") {
  setenv("TZ", "UTC", 1);
  tzset();
  Run run({"-N", "-l", "-Q", "2"}, {Target{"192.0.2.5", "192.0.2.5", "gw.example"}});
  run.take(run.book.sent(0, 0));
  run.reply(0, 0, 2 * kMilli, "192.0.2.5");
  run.take(run.book.interval_report(kNow));
  CHECK(run.out.rfind("CHART fping.gw_example_packets '' 'FPing Packets' packets '192.0.2.5' fping.packets line "
                      "110020 2\n",
                      0) == 0);
  CHECK(
      run.out.find("BEGIN fping.gw_example_latency\nSET min = 2000000\nSET avg = 2000000\nSET max = 2000000\nEND\n") !=
      std::string::npos);
  run.out.clear();
  run.take(run.book.interval_report(kNow));
  CHECK(run.out.find("CHART") == std::string::npos);
  CHECK(run.out.rfind("BEGIN fping.gw_example_packets\nSET xmt = 0\nSET rcv = 0\nEND\n", 0) == 0);
  run.take(run.book.quit_report(kNow));
  CHECK(run.err == "[09:56:05]\n192.0.2.5 : xmt/rcv/%loss = 0/0/0%\n");
}

TEST_CASE("fping book: after an ICMP error a reply still settles the probe, and its timeout is ignored") {
  for (const char* mode : {"-l", "-c"}) {
    Run run(std::string(mode) == "-l" ? Args{"-l", "-p", "1000"} : Args{"-c", "1", "-p", "1000"}, kOne);
    run.take(run.book.sent(0, 0));
    run.take(run.book.icmp_error(0, 0, IcmpErrorReport{false, 11, 0, "203.0.113.1"}));
    run.duplicate(0, 0, 5 * kMilli, "192.0.2.5");  // the Pinger calls it a duplicate (after_error)
    run.take(run.book.timeout(0, 0, kNow));        // the engine's own timer for the errored probe
    run.take(run.book.finish(0));
    CHECK(run.merged ==
          "ICMP Time Exceeded from 203.0.113.1 for ICMP Echo sent to 192.0.2.5\n"
          "192.0.2.5 : [0], 64 bytes, 5.00 ms (5.00 avg, 0% loss)\n"
          "\n192.0.2.5 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 5.00/5.00/5.00\n");
    CHECK(run.book.exit_code() == 0);
  }
}

TEST_CASE("fping book: 200,000 probes in flight to one target settle in time linear in their number") {
  // -l -p 0.01 -t 2000 keeps 200,000 probes of a silent target in flight; each timeout must not cost
  // a pass over the others (a vector erased from its front took minutes here).
  auto parsed = uping::fping::parse_fping_command_line({"fping", "-l", "-q", "-p", "0.01", "127.0.0.1"});
  REQUIRE(parsed.options.has_value());
  uping::fping::Book book(*parsed.options, {uping::fping::Target{"127.0.0.1", "127.0.0.1", {}}}, 0);
  constexpr std::uint32_t kInFlight = 200'000;
  const auto began = std::chrono::steady_clock::now();
  for (std::uint32_t seq = 0; seq < kInFlight; ++seq) book.sent(0, seq);
  for (std::uint32_t seq = 0; seq < kInFlight; ++seq) book.timeout(0, seq, uping::fping::WallClock{});
  const auto took = std::chrono::steady_clock::now() - began;
  CHECK(took < std::chrono::seconds(5));
  const auto summary = book.finish(0);
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].text == "\n127.0.0.1 : xmt/rcv/%loss = 200000/0/100%\n");
}
