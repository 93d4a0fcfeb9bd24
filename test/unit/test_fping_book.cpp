#include <stdlib.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/book.hpp"
#include "fping/options.hpp"
#include "fping_book_support.hpp"

// The Book fed the events that produced the real fping 5.1 samples of docs/fping.md section 11 (where
// 5.1 and 5.5 agree), with fixed round-trip times chosen to print the samples' figures; the rest of
// the rules from fping 5.5's src/fping.c, src/output.c and src/stats.c.

namespace {

using namespace uping::fping;
using namespace fping_book_test;

std::vector<Target> targets(const std::vector<std::string>& addresses) {
  std::vector<Target> list;
  for (const auto& address : addresses) list.push_back(Target{address, address, {}});
  return list;
}

// A run: the Book and everything it printed, per stream and merged as `2>&1` shows it.
struct Run : Printed {
  Book book;

  Run(const Args& args, const std::vector<std::string>& addresses, std::size_t unknown = 0)
      : book(options(args), targets(addresses), unknown) {}
  struct Listed {};
  Run(Listed /*tag*/, const FpingOptions& options, std::vector<Target> list) : book(options, std::move(list), 0) {}

  // One probe answered right away.
  void ping(std::size_t target, std::uint32_t seq, Nanos rtt, const std::string& from = {}) {
    take(book.sent(target, seq));
    take(book.reply(target, seq, rtt, 64, from, kNow, std::nullopt, std::nullopt));
  }
  // One probe lost.
  void lose(std::size_t target, std::uint32_t seq) {
    take(book.sent(target, seq));
    take(book.timeout(target, seq, kNow));
  }
  void finish(Nanos elapsed = 0) { take(book.finish(elapsed)); }
};

}  // namespace

TEST_CASE("fping book: default mode, alive lines in reply order then unreachable in target order") {
  Run run({}, {"127.0.0.1", "::1"});
  run.ping(0, 0, 37 * kMicro);
  run.ping(1, 0, 41 * kMicro);
  run.finish();
  CHECK(run.out == "127.0.0.1 is alive\n::1 is alive\n");
  CHECK(run.err.empty());
  CHECK(run.book.exit_code() == 0);

  Run mixed({}, {"198.51.100.1", "127.0.0.1", "198.51.100.2"});
  mixed.ping(1, 0, 37 * kMicro);
  for (std::uint32_t attempt = 0; attempt < 4; ++attempt) mixed.lose(2, attempt);
  for (std::uint32_t attempt = 0; attempt < 4; ++attempt) mixed.lose(0, attempt);
  mixed.finish();
  CHECK(mixed.out == "127.0.0.1 is alive\n198.51.100.1 is unreachable\n198.51.100.2 is unreachable\n");
  CHECK(mixed.err.empty());
  CHECK(mixed.book.exit_code() == 1);
}

TEST_CASE("fping book: -e appends the time, -a and -u print bare names") {
  Run elapsed({"-e"}, {"127.0.0.1", "::1"});
  elapsed.ping(0, 0, 37 * kMicro);
  for (std::uint32_t attempt = 0; attempt < 4; ++attempt) elapsed.lose(1, attempt);
  elapsed.finish();
  CHECK(elapsed.out == "127.0.0.1 is alive (0.037 ms)\n::1 is unreachable\n");

  Run alive({"-a"}, {"127.0.0.1", "::1", "localhost"});
  alive.ping(0, 0, 37 * kMicro);
  alive.ping(1, 0, 37 * kMicro);
  alive.ping(2, 0, 37 * kMicro);
  alive.finish();
  CHECK(alive.out == "127.0.0.1\n::1\nlocalhost\n");

  Run alive_elapsed({"-a", "-e"}, {"127.0.0.1"});
  alive_elapsed.ping(0, 0, 1'500 * kMicro);
  CHECK(alive_elapsed.out == "127.0.0.1 (1.50 ms)\n");

  Run unreachable({"-u", "-t", "100", "-r", "0"}, {"127.0.0.1", "::1"});
  unreachable.ping(0, 0, 37 * kMicro);
  unreachable.lose(1, 0);
  unreachable.finish();
  CHECK(unreachable.out == "::1\n");
  CHECK(unreachable.book.exit_code() == 1);
}

TEST_CASE("fping book: default-mode retries back off by -B and stop after -r") {
  Run run({}, {"192.0.2.1"});
  CHECK(run.book.probe_timeout(0) == 500 * kMilli);
  run.lose(0, 0);
  CHECK(run.book.retry_due(0));
  CHECK(run.book.probe_timeout(0) == 750 * kMilli);
  run.lose(0, 1);
  run.lose(0, 2);
  CHECK(run.book.retry_due(0));
  CHECK(run.book.probe_timeout(0) == 1'687'499'904);  // fping's float product: 1125000000 rounds in a float
  run.lose(0, 3);
  CHECK_FALSE(run.book.retry_due(0));  // 4 tries = -r 3 + 1
  CHECK(run.out.empty());              // no timeout lines in the default mode

  Run answered({"-r", "1"}, {"192.0.2.1"});
  answered.lose(0, 0);
  answered.ping(0, 1, 600 * kMilli);  // within the backed-off 750 ms
  CHECK(answered.out == "192.0.2.1 is alive\n");
  CHECK(answered.book.probe_timeout(0) == 500 * kMilli);  // a reply restores -t
  CHECK(answered.book.target_alive(0));
  CHECK(answered.book.exit_code() == 0);
}

TEST_CASE("fping book: -s global statistics (fping -s 127.0.0.1 ::1)") {
  Run run({"-s"}, {"127.0.0.1", "::1"});
  run.ping(0, 0, 37'123);
  run.ping(1, 0, 44'456);
  run.finish(10 * kMilli);
  CHECK(run.out == "127.0.0.1 is alive\n::1 is alive\n");
  CHECK(run.err ==
        "\n"
        "       2 targets\n"
        "       2 alive\n"
        "       0 unreachable\n"
        "       0 unknown addresses\n"
        "\n"
        "       0 timeouts (waiting for response)\n"
        "       2 ICMP Echos sent\n"
        "       2 ICMP Echo Replies received\n"
        "       0 other ICMP received\n"
        "\n"
        " 0.037 ms (min round trip time)\n"
        " 0.041 ms (avg round trip time)\n"
        " 0.044 ms (max round trip time)\n"
        "        0.010 sec (elapsed real time)\n"
        "\n");
}

TEST_CASE("fping book: -c per-reply lines padded to the longest target, blank line, summaries") {
  Run run({"-c", "3", "-p", "100"}, {"127.0.0.1", "localhost", "::1"});
  const Nanos times[3][3] = {{25'000, 12'400, 13'000}, {7'000, 5'000, 8'000}, {29'000, 9'600, 9'000}};
  for (std::uint32_t seq = 0; seq < 3; ++seq) {
    for (std::size_t target = 0; target < 3; ++target) run.ping(target, seq, times[target][seq]);
  }
  run.finish();
  CHECK(run.out ==
        "127.0.0.1 : [0], 64 bytes, 0.025 ms (0.025 avg, 0% loss)\n"
        "localhost : [0], 64 bytes, 0.007 ms (0.007 avg, 0% loss)\n"
        "::1       : [0], 64 bytes, 0.029 ms (0.029 avg, 0% loss)\n"
        "127.0.0.1 : [1], 64 bytes, 0.012 ms (0.019 avg, 0% loss)\n"
        "localhost : [1], 64 bytes, 0.005 ms (0.006 avg, 0% loss)\n"
        "::1       : [1], 64 bytes, 0.010 ms (0.019 avg, 0% loss)\n"
        "127.0.0.1 : [2], 64 bytes, 0.013 ms (0.017 avg, 0% loss)\n"
        "localhost : [2], 64 bytes, 0.008 ms (0.007 avg, 0% loss)\n"
        "::1       : [2], 64 bytes, 0.009 ms (0.016 avg, 0% loss)\n");
  CHECK(run.err ==
        "\n"
        "127.0.0.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.012/0.017/0.025\n"
        "localhost : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.005/0.007/0.008\n"
        "::1       : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.009/0.016/0.029\n");
  CHECK(run.book.exit_code() == 0);
}

TEST_CASE("fping book: -C per-reply lines and the list of times") {
  Run run({"-C", "3", "-p", "100"}, {"127.0.0.1", "::1"});
  const Nanos times[2][3] = {{41'000, 33'800, 22'000}, {30'000, 22'300, 18'400}};
  for (std::uint32_t seq = 0; seq < 3; ++seq) {
    for (std::size_t target = 0; target < 2; ++target) run.ping(target, seq, times[target][seq]);
  }
  run.finish();
  CHECK(run.out ==
        "127.0.0.1 : [0], 64 bytes, 0.041 ms (0.041 avg, 0% loss)\n"
        "::1       : [0], 64 bytes, 0.030 ms (0.030 avg, 0% loss)\n"
        "127.0.0.1 : [1], 64 bytes, 0.034 ms (0.037 avg, 0% loss)\n"
        "::1       : [1], 64 bytes, 0.022 ms (0.026 avg, 0% loss)\n"
        "127.0.0.1 : [2], 64 bytes, 0.022 ms (0.032 avg, 0% loss)\n"
        "::1       : [2], 64 bytes, 0.018 ms (0.024 avg, 0% loss)\n");
  CHECK(run.err == "\n127.0.0.1 : 0.041 0.034 0.022\n::1       : 0.030 0.022 0.018\n");
}

TEST_CASE("fping book: timeouts in count mode (fping -c 2 / -C 2 -t 100 ::1 127.0.0.1, ::1 silent)") {
  for (const bool all : {false, true}) {
    Run run({all ? "-C" : "-c", "2", "-p", "100", "-t", "100"}, {"::1", "127.0.0.1"});
    const Nanos times[2] = {38'000, 28'000};
    for (std::uint32_t seq = 0; seq < 2; ++seq) {
      run.take(run.book.sent(0, seq));
      run.ping(1, seq, all ? (seq == 0 ? 39'000 : 39'600) : times[seq]);
      run.take(run.book.timeout(0, seq, kNow));
    }
    run.finish();
    if (all) {
      CHECK(run.out ==
            "127.0.0.1 : [0], 64 bytes, 0.039 ms (0.039 avg, 0% loss)\n"
            "::1       : [0], timed out (NaN avg, 100% loss)\n"
            "127.0.0.1 : [1], 64 bytes, 0.040 ms (0.039 avg, 0% loss)\n"
            "::1       : [1], timed out (NaN avg, 100% loss)\n");
      CHECK(run.err == "\n::1       : - -\n127.0.0.1 : 0.039 0.040\n");
    } else {
      CHECK(run.out ==
            "127.0.0.1 : [0], 64 bytes, 0.038 ms (0.038 avg, 0% loss)\n"
            "::1       : [0], timed out (NaN avg, 100% loss)\n"
            "127.0.0.1 : [1], 64 bytes, 0.028 ms (0.033 avg, 0% loss)\n"
            "::1       : [1], timed out (NaN avg, 100% loss)\n");
      CHECK(run.err ==
            "\n::1       : xmt/rcv/%loss = 2/0/100%\n"
            "127.0.0.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.028/0.033/0.038\n");
    }
    CHECK(run.book.exit_code() == 1);
  }
}

TEST_CASE("fping book: -q drops the per-reply lines and the blank line") {
  Run all({"-C", "3", "-q", "-p", "100", "-t", "50"}, {"::1", "127.0.0.1", "localhost"});
  const Nanos times[2][3] = {{29'000, 28'000, 20'000}, {12'000, 8'000, 15'000}};
  for (std::uint32_t seq = 0; seq < 3; ++seq) {
    all.lose(0, seq);
    all.ping(1, seq, times[0][seq]);
    all.ping(2, seq, times[1][seq]);
  }
  all.finish();
  CHECK(all.out.empty());
  CHECK(all.err == "::1       : - - -\n127.0.0.1 : 0.029 0.028 0.020\nlocalhost : 0.012 0.008 0.015\n");

  Run count({"-c", "2", "-q", "-p", "100"}, {"127.0.0.1"});
  count.ping(0, 0, 31'000);
  count.ping(0, 1, 976'400);
  count.finish();
  CHECK(count.out.empty());
  CHECK(count.err == "127.0.0.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.031/0.504/0.976\n");
}

TEST_CASE("fping book: -o outage and loss truncation") {
  Run outage({"-c", "4", "-o", "-p", "100", "-t", "50"}, {"::1"});
  for (std::uint32_t seq = 0; seq < 4; ++seq) outage.lose(0, seq);
  outage.finish();
  CHECK(outage.out ==
        "::1 : [0], timed out (NaN avg, 100% loss)\n"
        "::1 : [1], timed out (NaN avg, 100% loss)\n"
        "::1 : [2], timed out (NaN avg, 100% loss)\n"
        "::1 : [3], timed out (NaN avg, 100% loss)\n");
  CHECK(outage.err == "\n::1 : xmt/rcv/%loss = 4/0/100%, outage(ms) = 400\n");

  Run third({"-c", "3", "-o", "-p", "250"}, {"h"});
  third.ping(0, 0, kMilli);
  third.lose(0, 1);
  third.ping(0, 2, 3 * kMilli);
  third.finish();
  CHECK(third.out ==
        "h : [0], 64 bytes, 1.00 ms (1.00 avg, 0% loss)\n"
        "h : [1], timed out (1.00 avg, 50% loss)\n"
        "h : [2], 64 bytes, 3.00 ms (2.00 avg, 33% loss)\n");
  CHECK(third.err == "\nh : xmt/rcv/%loss = 3/2/33%, outage(ms) = 250, min/avg/max = 1.00/2.00/3.00\n");
}

TEST_CASE("fping book: probes in flight are no loss yet") {
  Run run({"-c", "3", "-p", "100", "-t", "1000"}, {"h"});
  run.take(run.book.sent(0, 0));
  run.take(run.book.sent(0, 1));
  run.take(run.book.reply(0, 1, 2 * kMilli, 64, "h", kNow, std::nullopt, std::nullopt));
  run.take(run.book.sent(0, 2));
  run.take(run.book.timeout(0, 0, kNow));
  run.take(run.book.reply(0, 2, 4 * kMilli, 64, "h", kNow, std::nullopt, std::nullopt));
  CHECK(run.out ==
        "h : [1], 64 bytes, 2.00 ms (2.00 avg, 0% loss)\n"
        "h : [0], timed out (2.00 avg, 50% loss)\n"
        "h : [2], 64 bytes, 4.00 ms (3.00 avg, 33% loss)\n");
  run.finish();
  CHECK(run.err == "\nh : xmt/rcv/%loss = 3/2/33%, min/avg/max = 2.00/3.00/4.00\n");
}

TEST_CASE("fping book: -D prefixes reply and timeout lines only") {
  Run run({"-D", "-c", "2", "-p", "100"}, {"127.0.0.1"});
  run.take(run.book.sent(0, 0));
  run.take(run.book.reply(0, 0, 38'000, 64, "127.0.0.1", WallClock(std::chrono::nanoseconds(1'796'118'965'086'030'000)),
                          std::nullopt, std::nullopt));
  run.take(run.book.sent(0, 1));
  run.take(run.book.timeout(0, 1, WallClock(std::chrono::nanoseconds(1'796'118'965'186'240'000))));
  run.finish();
  CHECK(run.out ==
        "[1796118965.08603] 127.0.0.1 : [0], 64 bytes, 0.038 ms (0.038 avg, 0% loss)\n"
        "[1796118965.18624] 127.0.0.1 : [1], timed out (0.038 avg, 50% loss)\n");
  CHECK(run.err == "\n127.0.0.1 : xmt/rcv/%loss = 2/1/50%, min/avg/max = 0.038/0.038/0.038\n");

  Run alive({"-D"}, {"127.0.0.1"});
  alive.ping(0, 0, 38'000);
  CHECK(alive.out == "127.0.0.1 is alive\n");
}

TEST_CASE("fping book: -e has no effect in count mode") {
  Run run({"-e", "-c", "1"}, {"127.0.0.1"});
  run.ping(0, 0, 56'000);
  run.finish();
  CHECK(run.out == "127.0.0.1 : [0], 64 bytes, 0.056 ms (0.056 avg, 0% loss)\n");
  CHECK(run.err == "\n127.0.0.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.056/0.056/0.056\n");
}

TEST_CASE("fping book: a failed send is a lost probe, reported only in the default mode") {
  Run count({"-c", "1", "-t", "100"}, {"198.51.100.7"});
  count.take(count.book.send_failed(0, 0, ENETUNREACH));
  count.finish();
  CHECK(count.out.empty());
  CHECK(count.err == "\n198.51.100.7 : xmt/rcv/%loss = 1/0/100%\n");
  CHECK(count.book.exit_code() == 1);

  Run all({"-C", "2", "-s"}, {"198.51.100.7"});
  all.take(all.book.sent(0, 0));
  all.take(all.book.send_failed(0, 0, ENETUNREACH));  // announced first: still one echo sent
  all.take(all.book.send_failed(0, 1, ENETUNREACH));
  all.finish();
  CHECK(all.err.rfind("\n198.51.100.7 : - -\n\n       1 targets\n", 0) == 0);
  CHECK(all.err.find("       0 timeouts (waiting for response)\n       2 ICMP Echos sent\n") != std::string::npos);

  Run plain({}, {"198.51.100.7"});
  plain.take(plain.book.send_failed(0, 0, ENETUNREACH));
  CHECK_FALSE(plain.book.retry_due(0));  // fping schedules no timeout, so no retry, after a send error
  plain.finish();
  CHECK(plain.err == "198.51.100.7: error while sending ping: Network is unreachable\n");
  CHECK(plain.out == "198.51.100.7 is unreachable\n");

  Run quiet({"-q"}, {"198.51.100.7"});
  quiet.take(quiet.book.send_failed(0, 0, ENETUNREACH));
  quiet.finish();
  CHECK(quiet.merged.empty());

  Run down({"-c", "1"}, {"198.51.100.7"});  // EHOSTDOWN: fping takes the probe as sent
  down.take(down.book.send_failed(0, 0, EHOSTDOWN));
  down.take(down.book.timeout(0, 0, kNow));
  CHECK(down.out == "198.51.100.7 : [0], timed out (NaN avg, 100% loss)\n");
}

TEST_CASE("fping book: -A -n display strings set the padding") {
  Run named(
      Run::Listed{}, options({"-n", "-A", "-c", "1"}),
      {Target{"localhost (127.0.0.1)", "127.0.0.1", "localhost"}, Target{"localhost (127.0.0.1)", "127.0.0.1", {}}});
  named.ping(0, 0, 38'000);
  named.ping(1, 0, 14'000);
  named.finish();
  CHECK(named.out ==
        "localhost (127.0.0.1) : [0], 64 bytes, 0.038 ms (0.038 avg, 0% loss)\n"
        "localhost (127.0.0.1) : [0], 64 bytes, 0.014 ms (0.014 avg, 0% loss)\n");
  CHECK(named.err ==
        "\nlocalhost (127.0.0.1) : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.038/0.038/0.038\n"
        "localhost (127.0.0.1) : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.014/0.014/0.014\n");
}

TEST_CASE("fping book: loop mode ends with the summary; -q keeps the reply lines") {
  for (const bool quiet : {false, true}) {
    Run run(quiet ? Args{"-l", "-q", "-p", "300"} : Args{"-l", "-p", "300"}, {"127.0.0.1"});
    const Nanos times[4] = {36'000, 49'400, 49'000, 42'000};
    for (std::uint32_t seq = 0; seq < 4; ++seq) run.ping(0, seq, times[seq]);
    run.take(run.book.sent(0, 4));  // SIGINT with a probe in flight: not counted
    run.finish();
    CHECK(run.out ==
          "127.0.0.1 : [0], 64 bytes, 0.036 ms (0.036 avg, 0% loss)\n"
          "127.0.0.1 : [1], 64 bytes, 0.049 ms (0.043 avg, 0% loss)\n"
          "127.0.0.1 : [2], 64 bytes, 0.049 ms (0.045 avg, 0% loss)\n"
          "127.0.0.1 : [3], 64 bytes, 0.042 ms (0.044 avg, 0% loss)\n");
    CHECK(run.err == "\n127.0.0.1 : xmt/rcv/%loss = 4/4/0%, min/avg/max = 0.036/0.044/0.049\n");
    CHECK(run.book.exit_code() == 0);
  }
}

TEST_CASE("fping book: -Q interval blocks, reset unless cumulative, no blank lines") {
  setenv("TZ", "UTC", 1);
  tzset();
  const WallClock first = WallClock(std::chrono::seconds(1'796'119'000));
  for (const bool cumulative : {false, true}) {
    Run run({"-l", "-Q", cumulative ? "1,cumulative" : "1", "-p", "200"}, {"127.0.0.1"});
    run.ping(0, 0, 59'000);
    run.ping(0, 1, 63'000);
    run.take(run.book.interval_report(first));
    run.ping(0, 2, 55'000);
    run.take(run.book.interval_report(first + std::chrono::seconds(1)));
    run.finish();
    CHECK(run.out.empty());
    if (cumulative) {
      CHECK(run.err ==
            "[09:56:40]\n127.0.0.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.059/0.061/0.063\n"
            "[09:56:41]\n127.0.0.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.055/0.059/0.063\n"
            "127.0.0.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.055/0.059/0.063\n");
    } else {
      CHECK(run.err ==
            "[09:56:40]\n127.0.0.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.059/0.061/0.063\n"
            "[09:56:41]\n127.0.0.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.055/0.055/0.055\n"
            "127.0.0.1 : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.055/0.059/0.063\n");
    }
  }
  // SIGQUIT in plain count mode: per-reply lines are on, so the block starts with a blank line.
  Run quit({"-c", "5", "-o", "-p", "100"}, {"h"});
  quit.lose(0, 0);
  quit.take(quit.book.quit_report(first));
  CHECK(quit.err == "\n[09:56:40]\nh : xmt/rcv/%loss = 1/0/100%, outage(ms) = 100\n");
}

TEST_CASE("fping book: -x and -X verdicts override every other exit code") {
  Run enough({"-x", "1", "-t", "100", "-r", "0"}, {"127.0.0.1", "::1"});
  enough.ping(0, 0, 40'000);
  enough.lose(1, 0);
  CHECK(enough.book.alive_targets() == 1);
  enough.finish();
  CHECK(enough.out == "Enough hosts reachable (required: 1, reachable: 1)\n");
  CHECK(enough.book.exit_code() == 0);

  Run short_of({"-X", "2", "-r", "0"}, {"127.0.0.1", "::1"}, 1);
  short_of.ping(0, 0, 40'000);
  short_of.lose(1, 0);
  short_of.finish();
  CHECK(short_of.out == "Not enough hosts reachable (required: 2, reachable: 1)\n");
  CHECK(short_of.book.exit_code() == 1);  // not 2, though a name did not resolve

  Run with_count({"-x", "1", "-c", "1"}, {"127.0.0.1"});  // 5.5: per-reply lines stay (#298)
  with_count.ping(0, 0, 40'000);
  with_count.finish();
  CHECK(with_count.out ==
        "127.0.0.1 : [0], 64 bytes, 0.040 ms (0.040 avg, 0% loss)\n"
        "Enough hosts reachable (required: 1, reachable: 1)\n");
  CHECK(with_count.err == "\n127.0.0.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.040/0.040/0.040\n");
}

TEST_CASE("fping book: exit code 2 for unknown addresses wins over 1") {
  Run run({}, {"127.0.0.1", "::1"}, 1);
  run.ping(0, 0, 40'000);
  run.finish();
  CHECK(run.book.exit_code() == 2);
  Run all_alive({}, {"127.0.0.1"}, 1);
  all_alive.ping(0, 0, 40'000);
  CHECK(all_alive.book.exit_code() == 2);
}

TEST_CASE("fping book: -s after the count summaries (fping -s -c 2 -p 100 -t 50 ::1 127.0.0.1)") {
  Run run({"-s", "-c", "2", "-p", "100", "-t", "50"}, {"::1", "127.0.0.1"});
  run.take(run.book.sent(0, 0));
  run.ping(1, 0, 60'000);
  run.take(run.book.timeout(0, 0, kNow));
  run.take(run.book.sent(0, 1));
  run.ping(1, 1, 38'000);
  run.take(run.book.timeout(0, 1, kNow));
  run.finish(151 * kMilli);
  CHECK(run.out ==
        "127.0.0.1 : [0], 64 bytes, 0.060 ms (0.060 avg, 0% loss)\n"
        "::1       : [0], timed out (NaN avg, 100% loss)\n"
        "127.0.0.1 : [1], 64 bytes, 0.038 ms (0.049 avg, 0% loss)\n"
        "::1       : [1], timed out (NaN avg, 100% loss)\n");
  CHECK(run.err ==
        "\n::1       : xmt/rcv/%loss = 2/0/100%\n"
        "127.0.0.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.038/0.049/0.060\n"
        "\n"
        "       2 targets\n"
        "       1 alive\n"
        "       1 unreachable\n"
        "       0 unknown addresses\n"
        "\n"
        "       2 timeouts (waiting for response)\n"
        "       4 ICMP Echos sent\n"
        "       2 ICMP Echo Replies received\n"
        "       0 other ICMP received\n"
        "\n"
        " 0.038 ms (min round trip time)\n"
        " 0.049 ms (avg round trip time)\n"
        " 0.060 ms (max round trip time)\n"
        "        0.151 sec (elapsed real time)\n"
        "\n");
}

TEST_CASE("fping book: Zabbix-style -C with merged streams") {
  Run run({"-C3", "-p100", "-t50", "-i10"}, {"127.0.0.1", "::1", "localhost"});
  const Nanos times[2][3] = {{62'000, 31'400, 38'000}, {20'000, 25'000, 22'000}};
  for (std::uint32_t seq = 0; seq < 3; ++seq) {
    run.take(run.book.sent(0, seq));
    run.take(run.book.sent(1, seq));
    run.take(run.book.sent(2, seq));
    run.take(run.book.reply(0, seq, times[0][seq], 64, "127.0.0.1", kNow, std::nullopt, std::nullopt));
    run.take(run.book.reply(2, seq, times[1][seq], 64, "localhost", kNow, std::nullopt, std::nullopt));
    run.take(run.book.timeout(1, seq, kNow));
  }
  run.finish();
  CHECK(run.merged ==
        "127.0.0.1 : [0], 64 bytes, 0.062 ms (0.062 avg, 0% loss)\n"
        "localhost : [0], 64 bytes, 0.020 ms (0.020 avg, 0% loss)\n"
        "::1       : [0], timed out (NaN avg, 100% loss)\n"
        "127.0.0.1 : [1], 64 bytes, 0.031 ms (0.047 avg, 0% loss)\n"
        "localhost : [1], 64 bytes, 0.025 ms (0.022 avg, 0% loss)\n"
        "::1       : [1], timed out (NaN avg, 100% loss)\n"
        "127.0.0.1 : [2], 64 bytes, 0.038 ms (0.044 avg, 0% loss)\n"
        "localhost : [2], 64 bytes, 0.022 ms (0.022 avg, 0% loss)\n"
        "::1       : [2], timed out (NaN avg, 100% loss)\n"
        "\n"
        "127.0.0.1 : 0.062 0.031 0.038\n"
        "::1       : - - -\n"
        "localhost : 0.020 0.025 0.022\n");
}

TEST_CASE("fping book: -C 4000000000 keeps the times of the probes sent, not of the count") {
  // fping mallocs `trials` times per target at start; the Book grows them with the probes sent, so a
  // huge -c/-C on many targets neither aborts nor takes 32 GB per target.
  Run run({"-C", "4000000000", "-q"}, {"127.0.0.1", "127.0.0.2", "127.0.0.3"});
  run.ping(0, 0, 37 * kMicro);
  run.lose(0, 1);
  run.ping(0, 2, 41 * kMicro);
  run.lose(1, 0);
  run.finish();
  CHECK(run.err == "127.0.0.1 : 0.037 - 0.041\n127.0.0.2 : -\n127.0.0.3 :\n");
  CHECK(run.book.exit_code() == 1);
}

TEST_CASE("fping book: -o with -p beyond int64's reach neither overflows nor wraps") {
  // -p 1e20 saturates at int64's largest; two lost probes times that overflowed int64 (fping's does too).
  Run huge({"-c", "2", "-q", "-o", "-p", "1e20", "-t", "50"}, {"::1"});
  huge.lose(0, 0);
  huge.lose(0, 1);
  huge.finish();
  CHECK(huge.err == "::1 : xmt/rcv/%loss = 2/0/100%, outage(ms) = 18446744073709\n");
}
