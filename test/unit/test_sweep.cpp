// Sweep mode: when it is chosen, its command line, its JSON lines (parsed back with Boost.JSON),
// text lines, UTF-8 repair and the exit code.
#include <cerrno>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include "multi/sweep_options.hpp"
#include "multi/sweep_output.hpp"

using namespace uping::sweep;
namespace json = boost::json;

namespace {

std::vector<std::string> with_program(std::vector<std::string> args) {
  args.insert(args.begin(), "uping");
  return args;
}

SweepParse parse(std::vector<std::string> args) { return parse_command_line(with_program(std::move(args))); }

// Parses one NDJSON line: exactly one object, ended by a single '\n'.
json::object parsed_line(const std::string& line) {
  INFO(line);
  REQUIRE(!line.empty());
  REQUIRE(line.back() == '\n');
  REQUIRE(line.find('\n') == line.size() - 1);
  const json::value value = json::parse(line);
  REQUIRE(value.is_object());
  const auto& object = value.as_object();
  CHECK(object.at("v").as_int64() == kJsonSchemaVersion);
  return object;
}

}  // namespace

TEST_CASE("sweep mode: more than one target or a sweep option; one plain target stays iputils", "[sweep]") {
  CHECK(requested(with_program({"198.51.100.1", "198.51.100.2"})));
  CHECK(requested(with_program({"-g", "198.51.100.0/24"})));
  CHECK(requested(with_program({"-qg198.51.100.0/24"})));
  CHECK(requested(with_program({"--file", "-"})));
  CHECK(requested(with_program({"--file=hosts"})));
  CHECK(requested(with_program({"--json", "h"})));
  CHECK(requested(with_program({"--alive", "h"})));
  CHECK(requested(with_program({"--unreachable", "h"})));
  CHECK(requested(with_program({"-x", "1", "h"})));
  CHECK(requested(with_program({"--reachable", "1", "h"})));
  CHECK(requested(with_program({"-X", "1", "h"})));
  CHECK(requested(with_program({"--rate", "100", "h"})));
  CHECK(requested(with_program({"-c", "2", "a", "--", "b"})));

  CHECK_FALSE(requested(with_program({"198.51.100.1"})));
  CHECK_FALSE(requested(with_program({"-c", "3", "198.51.100.1"})));  // "3" is -c's value
  CHECK_FALSE(requested(with_program({"-c3", "-i", "0.2", "-W", "1", "-w", "2", "h"})));
  CHECK_FALSE(requested(with_program({"-I", "lo", "-s", "100", "-t", "9", "h"})));
  CHECK_FALSE(requested(with_program({"-qn", "h"})));
  CHECK_FALSE(requested(with_program({})));
  CHECK_FALSE(requested(with_program({"-Z", "a", "b"})));  // the iputils parser reports -Z
}

TEST_CASE("sweep options and their defaults", "[sweep]") {
  const auto defaults = parse({"198.51.100.1", "2001:db8::1"});
  REQUIRE(defaults.options);
  const SweepOptions& d = *defaults.options;
  CHECK(d.targets == std::vector<std::string>{"198.51.100.1", "2001:db8::1"});
  CHECK(d.count == 1);
  CHECK(d.interval == std::chrono::seconds(1));
  CHECK(d.timeout == std::chrono::seconds(1));
  CHECK_FALSE(d.deadline);
  CHECK(d.rate == kDefaultRate);
  CHECK(d.format == OutputFormat::text);
  CHECK_FALSE(d.reachable);
  CHECK_FALSE(d.stop_when_reachable);

  const auto tuned = parse({"-g",         "198.51.100.0/30",
                            "--generate", "2001:db8::/126",
                            "--file",     "-",
                            "-c",         "3",
                            "-i",         "0.01",
                            "-W",         "0.5",
                            "-w",         "2.5",
                            "--rate",     "0",
                            "-s",         "16",
                            "-t",         "9",
                            "-q",         "--json",
                            "-X",         "2"});
  REQUIRE(tuned.options);
  const SweepOptions& t = *tuned.options;
  REQUIRE(t.ranges.size() == 2);
  CHECK(t.ranges[0].size() == 2);
  CHECK(t.ranges[1].size() == 4);
  CHECK(t.file == "-");
  CHECK(t.count == 3);
  CHECK(t.interval == std::chrono::milliseconds(10));
  CHECK(t.timeout == std::chrono::milliseconds(500));
  CHECK(t.deadline == std::chrono::milliseconds(2500));
  CHECK(t.rate == 0);
  CHECK(t.payload_size == 16);
  CHECK(t.ttl == 9);
  CHECK(t.quiet);
  CHECK(t.format == OutputFormat::json);
  CHECK(t.reachable == 2);
  CHECK(t.stop_when_reachable);

  // -g takes one range; what follows is a target.
  const auto mixed = parse({"-g", "198.51.100.0/30", "2001:db8::5", "-g", "198.51.100.8/30", "h"});
  REQUIRE(mixed.options);
  CHECK(mixed.options->ranges.size() == 2);
  CHECK(mixed.options->targets == std::vector<std::string>{"2001:db8::5", "h"});

  CHECK(parse({"--alive", "a", "b"}).options->format == OutputFormat::alive);
  CHECK(parse({"--unreachable", "a", "b"}).options->format == OutputFormat::unreachable);
  const auto x = parse({"-x", "5", "a", "b"});
  CHECK(x.options->reachable == 5);
  CHECK_FALSE(x.options->stop_when_reachable);
}

TEST_CASE("sweep command-line errors exit 2 with one line", "[sweep]") {
  const std::vector<std::vector<std::string>> bad = {
      {"--json"},  // no target
      {"-g", "198.51.100.0/33"},
      {"-g", "10.0.0.0/7"},
      {"-4", "-g", "2001:db8::/120"},
      {"-4", "-6", "a", "b"},
      {"--json", "--alive", "a", "b"},
      {"--alive", "--unreachable", "a", "b"},
      {"-x", "1", "-X", "1", "a", "b"},
      {"-x", "0", "a", "b"},
      {"-c", "0", "a", "b"},
      {"-c", "1.5", "a", "b"},
      {"-c", "1000001", "a", "b"},
      {"-i", "0.001", "a", "b"},
      {"-W", "0", "a", "b"},
      {"-w", "abc", "a", "b"},
      {"--rate", "-1", "a", "b"},
      {"--rate", "0.5", "a", "b"},
      {"-4", "-s", "65508", "a", "b"},  // too large for IPv4: refused at once with -4
      {"-s", "65528", "a", "b"},        // too large for IPv6 too
      {"-t", "0", "a", "b"},
      {"-D", "a", "b"},          // iputils-only option
      {"198.51.100.0/24", "a"},  // a range without -g
  };
  for (const auto& args : bad) {
    const auto result = parse(args);
    INFO(args.front() << " ... gave: " << result.err);
    CHECK_FALSE(result.options);
    CHECK(result.exit_code == kError);
    CHECK(result.err.rfind("uping: ", 0) == 0);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
  CHECK_THAT(parse({"198.51.100.0/24", "a"}).err, Catch::Contains("needs -g"));
  // Without -4 an IPv6 target may carry 20 bytes more; IPv4 targets are refused one by one.
  const auto large = parse({"-s", "65527", "a", "b"});
  REQUIRE(large.options);
  CHECK(large.options->payload_size == 65527);
}

TEST_CASE("an empty sweep value is a bad value and not a missing option", "[sweep]") {
  // `-x ""` must not fall back to "all must answer", `-w ""` must not mean "no deadline".
  for (const std::string option : {"-c", "-i", "-W", "-w", "--rate", "-s", "-t", "-x", "-X", "--file"}) {
    const auto result = parse({option, "", "a", "b"});
    INFO(option << " '' gave: " << result.err);
    CHECK_FALSE(result.options);
    CHECK(result.exit_code == kError);
    CHECK(result.err.rfind("uping: ", 0) == 0);
    CHECK_THAT(result.err, Catch::Contains("''"));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
  const auto joined = parse({"--rate=", "a", "b"});
  CHECK_FALSE(joined.options);
  CHECK(joined.exit_code == kError);
}

TEST_CASE("ping4 / ping6 imply -4 / -6 in sweep mode", "[sweep]") {
  const auto as_ping4 = parse_command_line({"/bin/ping4", "::1", "127.0.0.1"});
  REQUIRE(as_ping4.options);
  CHECK(as_ping4.options->family == uping::icmp::Family::v4);
  const auto as_ping6 = parse_command_line({"ping6", "-6", "a", "b"});
  REQUIRE(as_ping6.options);
  CHECK(as_ping6.options->family == uping::icmp::Family::v6);
  // A range of the other family is refused as it is with -6.
  const auto range = parse_command_line({"ping6", "-g", "198.51.100.0/30"});
  CHECK_FALSE(range.options);
  CHECK(range.exit_code == kError);
  const auto conflict = parse_command_line({"ping6", "-4", "a", "b"});
  CHECK_FALSE(conflict.options);
  CHECK(conflict.exit_code == kError);
  CHECK(conflict.err == "ping6: only one -4 or -6 option may be specified\n");
}

TEST_CASE("sweep --help goes to stdout and exits 0", "[sweep]") {
  const auto help = parse({"--help", "--json"});
  CHECK_FALSE(help.options);
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--json"));
  CHECK_THAT(help.out, Catch::Contains("-g, --generate"));
}

TEST_CASE("JSON reply, timeout and error lines", "[sweep][json]") {
  const TargetRef target{"host.example", "198.51.100.7"};
  const auto reply = parsed_line(json_reply(target, {3, 52, 64, 64, false}));
  CHECK(reply.at("type").as_string() == "reply");
  CHECK(reply.at("target").as_string() == "host.example");
  CHECK(reply.at("addr").as_string() == "198.51.100.7");
  CHECK(reply.at("seq").as_int64() == 3);
  CHECK(reply.at("rtt_ms").as_double() == Approx(0.052));
  CHECK(reply.at("ttl").as_int64() == 64);
  CHECK(reply.at("bytes").as_int64() == 64);
  CHECK(reply.at("dup").as_bool() == false);
  // Exact decimal milliseconds, never scientific notation.
  CHECK_THAT(json_reply(target, {1, 52, 64, 64, true}), Catch::Contains("\"rtt_ms\":0.052,"));
  CHECK_THAT(json_reply(target, {1, 1234567, 64, 64, true}), Catch::Contains("\"rtt_ms\":1234.567,"));

  const auto untimed = parsed_line(json_reply(target, {1, std::nullopt, std::nullopt, 8, true}));
  CHECK(untimed.at("rtt_ms").is_null());
  CHECK(untimed.at("ttl").is_null());
  CHECK(untimed.at("dup").as_bool());

  const auto timeout = parsed_line(json_timeout(target, 2));
  CHECK(timeout.at("type").as_string() == "timeout");
  CHECK(timeout.at("seq").as_int64() == 2);

  const auto error = parsed_line(json_icmp_error(target, {1, "198.51.100.1", uping::icmp::Family::v4, 3, 1, 0}));
  CHECK(error.at("type").as_string() == "icmp_error");
  CHECK(error.at("from").as_string() == "198.51.100.1");
  CHECK(error.at("icmp_type").as_int64() == 3);
  CHECK(error.at("icmp_code").as_int64() == 1);
  CHECK(error.at("text").as_string() == "Destination Host Unreachable");

  const auto failure = parsed_line(json_target_error("nosuch.invalid", "Name or service not known"));
  CHECK(failure.at("type").as_string() == "target_error");
  CHECK(failure.at("error").as_string() == "Name or service not known");
  CHECK_FALSE(failure.contains("addr"));
}

TEST_CASE("hostile names are escaped and invalid UTF-8 is repaired", "[sweep][json]") {
  const std::string hostile =
      "a\"b\\c\n\x01\x1b[31m\xff\xc0\x80\xed\xa0\x80"
      "\xc3\xa9";
  const auto line = json_reply({hostile, ""}, {1, 5, 64, 64, false});
  const auto object = parsed_line(line);
  const std::string back(object.at("target").as_string());
  CHECK(back ==
        "a\"b\\c\n\x01\x1b[31m\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xc3\xa9");
  CHECK(object.at("addr").is_null());

  CHECK(valid_utf8("plain") == "plain");
  CHECK(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  CHECK(valid_utf8("\xe2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
  CHECK(valid_utf8("\xf4\x90\x80\x80").size() == 12);           // above U+10FFFF: 4 replacements
  // The appending form (the monitor's) keeps what the string held, and valid runs between repairs.
  std::string appended = "x";
  uping::ndjson::append_valid_utf8(appended, "ab\xff\xc3\xa9\x80" "cd\xe2\x82");
  CHECK(appended == "xab\xEF\xBF\xBD\xc3\xa9\xEF\xBF\xBD" "cd\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("per-target summary arithmetic", "[sweep][json]") {
  uping::Statistics stats;
  uping::RttStatistics rtts;
  for (int i = 0; i < 3; ++i) stats.record_transmit();
  stats.record_reply(100, false);
  stats.record_reply(300, false);
  stats.record_reply(300, true);
  rtts.record(100, false);
  rtts.record(300, false);
  rtts.record(300, true);
  const auto summary = parsed_line(json_target_summary({"198.51.100.7", "198.51.100.7"}, stats, rtts, {1, 0, true}));
  CHECK(summary.at("type").as_string() == "summary");
  CHECK(summary.at("sent").as_int64() == 3);
  CHECK(summary.at("received").as_int64() == 2);
  CHECK(summary.at("duplicates").as_int64() == 1);
  CHECK(summary.at("timeouts").as_int64() == 1);
  CHECK(summary.at("loss_pct").to_number<double>() == Approx(33.3333));
  const auto& rtt = summary.at("rtt_ms").as_object();
  CHECK(rtt.at("min").as_double() == Approx(0.1));
  CHECK(rtt.at("avg").as_double() == Approx(0.233));  // (100 + 300 + 300) / 3, truncated
  CHECK(rtt.at("max").as_double() == Approx(0.3));
  CHECK(rtt.at("mdev").as_double() == Approx(0.094));
  // Nearest rank over 100, 300, 300: p50 is the second, 300 µs within 2 %; p99 the third, the
  // largest, exact.
  CHECK(rtt.at("p50").as_double() == Approx(0.3).epsilon(0.02));
  CHECK(rtt.at("p99").as_double() == Approx(0.3));
  // One difference (the duplicate is left out): |300 - 100| = 200 µs; RFC 3550: 200 / 16 = 12.5 µs.
  const auto& jitter = summary.at("jitter_ms").as_object();
  CHECK(jitter.at("mean_diff").as_double() == Approx(0.2));
  CHECK(jitter.at("rfc3550").as_double() == Approx(0.012));  // rounded to the microsecond (half to even)
  CHECK(summary.at("alive").as_bool());
  CHECK(summary.at("complete").as_bool());

  uping::Statistics silent;
  silent.record_transmit();
  const auto lost = parsed_line(json_target_summary({"198.51.100.8", "198.51.100.8"}, silent, {}, {1, 0, false}));
  CHECK(lost.at("rtt_ms").is_null());
  CHECK(lost.at("jitter_ms").is_null());
  CHECK(lost.at("loss_pct").to_number<double>() == 100);
  CHECK_FALSE(lost.at("alive").as_bool());
  CHECK_FALSE(lost.at("complete").as_bool());
}

TEST_CASE("the run summary line", "[sweep][json]") {
  RunTotals totals;
  totals.targets = 65534;
  totals.alive = 65534;
  totals.sent = 65534;
  totals.received = 65534;
  totals.sockets = 1;
  totals.elapsed = 412345;
  const auto run = parsed_line(json_run_summary(totals, 0));
  CHECK(run.at("rtt_ms").is_null());  // no RTT recorded (-s below 16)
  CHECK(run.at("jitter_ms").is_null());
  CHECK(run.at("type").as_string() == "run");
  CHECK(run.at("targets").as_int64() == 65534);
  CHECK(run.at("alive").as_int64() == 65534);
  CHECK(run.at("elapsed_ms").as_double() == Approx(412.345));
  CHECK(run.at("stopped").as_string() == "complete");
  CHECK(run.at("exit").as_int64() == 0);
  CHECK(run.at("kernel_drops").as_int64() == 0);
}

TEST_CASE("the run line pools every target's RTTs", "[sweep][json]") {
  uping::RttStatistics first, second;
  for (uping::Micros rtt : {100, 120}) first.record(rtt);           // D = 20: J = 1.25
  for (uping::Micros rtt : {1000, 1000, 1040}) second.record(rtt);  // D = 0, 40: J = 2.5
  RunTotals totals;
  totals.received = 5;
  totals.rtt.merge(first);
  totals.rtt.merge(second);
  const auto run = parsed_line(json_run_summary(totals, 0));
  const auto& rtt = run.at("rtt_ms").as_object();
  CHECK(rtt.at("min").as_double() == Approx(0.1));
  CHECK(rtt.at("max").as_double() == Approx(1.04));
  CHECK(rtt.at("avg").as_double() == Approx(0.652));              // 3260 / 5
  CHECK(rtt.at("p50").as_double() == Approx(1.0).epsilon(0.02));  // the third of five: 1000 µs
  CHECK(rtt.at("p99").as_double() == Approx(1.04));               // the largest, exact
  const auto& jitter = run.at("jitter_ms").as_object();
  CHECK(jitter.at("mean_diff").as_double() == Approx(0.02));  // (20 + 0 + 40) / 3
  CHECK(jitter.at("rfc3550").as_double() == Approx(0.002));   // (1.25 * 1 + 2.5 * 2) / 3, rounded
}

TEST_CASE("the exit code: all, -x N, errors", "[sweep]") {
  SweepOptions all;
  RunTotals totals;
  totals.targets = 3;
  totals.alive = 3;
  CHECK(exit_code(totals, all) == kAllReachable);
  totals.alive = 2;
  totals.unreachable = 1;
  CHECK(exit_code(totals, all) == kNotReachable);
  totals.failed = 1;
  totals.unreachable = 0;
  CHECK(exit_code(totals, all) == kError);

  SweepOptions two = all;
  two.reachable = 2;
  CHECK(exit_code(totals, two) == kAllReachable);  // the threshold wins over a failed target
  two.reachable = 3;
  CHECK(exit_code(totals, two) == kError);
  totals.failed = 0;
  CHECK(exit_code(totals, two) == kNotReachable);

  RunTotals cut_short;
  cut_short.targets = 2;
  cut_short.alive = 2;
  cut_short.sources_exhausted = false;  // -w stopped the sweep before every target was probed
  CHECK(exit_code(cut_short, all) == kNotReachable);
  CHECK(exit_code(RunTotals{}, all) == kNotReachable);  // no target at all
}

TEST_CASE("text lines name the target", "[sweep]") {
  CHECK(text_reply({"198.51.100.7", "198.51.100.7"}, {1, 52, 64, 64, false}) ==
        "64 bytes from 198.51.100.7: icmp_seq=1 ttl=64 time=0.052 ms\n");
  CHECK(text_reply({"localhost", "127.0.0.1"}, {2, 52, 64, 64, true}) ==
        "64 bytes from localhost (127.0.0.1): icmp_seq=2 ttl=64 time=0.052 ms (DUP!)\n");
  CHECK(text_icmp_error({"203.0.113.5", "203.0.113.5"}, {1, "198.51.100.1", uping::icmp::Family::v4, 3, 1, 0}) ==
        "From 198.51.100.1 icmp_seq=1 Destination Host Unreachable (to 203.0.113.5)\n");
}

TEST_CASE("the exit code after SIGINT: as iputils, 0 when the targets settled answered", "[sweep]") {
  SweepOptions all;
  RunTotals interrupted;
  interrupted.stopped = StopReason::interrupted;
  interrupted.sources_exhausted = false;
  interrupted.targets = 2;
  interrupted.alive = 2;
  CHECK(exit_code(interrupted, all) == kAllReachable);  // every target answered, -c not reached
  interrupted.targets = 3;
  interrupted.unfinished = 1;  // still waiting, or never probed: not held against
  CHECK(exit_code(interrupted, all) == kAllReachable);
  interrupted.targets = 4;
  interrupted.unreachable = 1;  // one settled without an answer
  CHECK(exit_code(interrupted, all) == kNotReachable);
  interrupted.unreachable = 0;
  interrupted.failed = 1;
  CHECK(exit_code(interrupted, all) == kError);

  RunTotals nothing_yet;
  nothing_yet.stopped = StopReason::interrupted;
  nothing_yet.targets = 2;
  nothing_yet.unfinished = 2;
  CHECK(exit_code(nothing_yet, all) == kNotReachable);  // no reply at all: 1, as iputils

  SweepOptions three = all;
  three.reachable = 3;  // -x/-X N: the count decides, SIGINT or not
  interrupted.failed = 0;
  CHECK(exit_code(interrupted, three) == kNotReachable);
  interrupted.alive = 3;
  CHECK(exit_code(interrupted, three) == kAllReachable);
}

TEST_CASE("a run that could open no socket still ends with its run line, exit 2", "[sweep][json]") {
  RunTotals totals;
  totals.stopped = StopReason::no_socket;
  totals.sources_exhausted = false;
  SweepOptions all;
  all.reachable = 0;
  CHECK(exit_code(totals, all) == kError);
  const auto run = parsed_line(json_run_summary(totals, exit_code(totals, all)));
  CHECK(run.at("stopped").as_string() == "no_socket");
  CHECK(run.at("exit").as_int64() == 2);
  CHECK(run.at("sockets").as_int64() == 0);
}

TEST_CASE("a probe the kernel refused: its own line, not a timeout", "[sweep][json]") {
  const auto line = parsed_line(json_send_error({"203.0.113.9", "203.0.113.9", true}, 2, ENETUNREACH));
  CHECK(line.at("type").as_string() == "send_error");
  CHECK(line.at("target").as_string() == "203.0.113.9");
  CHECK(line.at("addr").as_string() == "203.0.113.9");
  CHECK(line.at("seq").as_int64() == 2);
  CHECK(line.at("errno").as_string() == "ENETUNREACH");
  CHECK(line.at("error").as_string() == "Network is unreachable");
  CHECK(text_send_error(1, EINVAL) == "icmp_seq=1 cannot send: Invalid argument");

  uping::Statistics nothing_sent;
  const auto summary = parsed_line(json_target_summary({"fe80::1", "fe80::1", true}, nothing_sent, {}, {0, 3, true}));
  CHECK(summary.at("sent").as_int64() == 0);
  CHECK(summary.at("send_errors").as_int64() == 3);
  CHECK(summary.at("loss_pct").to_number<double>() == 0);
  CHECK_FALSE(summary.at("alive").as_bool());
}

TEST_CASE("an address typed in another form shows as the canonical address probed", "[sweep]") {
  CHECK(text_reply({"2001:DB8:51::02", "2001:db8:51::2", true}, {1, 52, 64, 64, false}) ==
        "64 bytes from 2001:db8:51::2: icmp_seq=1 ttl=64 time=0.052 ms\n");
  CHECK(text_icmp_error({"2001:0db8::5", "2001:db8::5", true}, {1, "2001:db8::1", uping::icmp::Family::v6, 1, 3, 0}) ==
        "From 2001:db8::1 icmp_seq=1 Destination unreachable: Address unreachable (to 2001:db8::5)\n");
  const auto reply = parsed_line(json_reply({"2001:DB8:51::02", "2001:db8:51::2", true}, {1, 52, 64, 64, false}));
  CHECK(reply.at("target").as_string() == "2001:DB8:51::02");
  CHECK(reply.at("addr").as_string() == "2001:db8:51::2");
}

TEST_CASE("what the run never took from its sources: one line", "[sweep]") {
  uping::targets::Untaken untaken;
  CHECK(untaken_line(untaken, StopReason::complete).empty());
  untaken.range_addresses = 6;
  CHECK(untaken_line(untaken, StopReason::deadline) == "6 targets not probed (deadline): 6 from -g");
  untaken.names = 1;
  untaken.file_left = true;
  CHECK(untaken_line(untaken, StopReason::interrupted) ==
        "7 targets not probed (interrupted): 1 named, 6 from -g; the rest of --file not read");
  CHECK(untaken_line({0, 0, true}, StopReason::reachable) == "the rest of --file not read (reachable)");
}

TEST_CASE("a target the run ended before probing is accounted for in every format", "[sweep]") {
  const uping::Statistics nothing;
  const Retired unprobed{{"a.example", "", false}, &nothing, {0, 0, false}, 0, true};
  CHECK(retired_output(OutputFormat::unreachable, unprobed) == "a.example\n");  // it did not answer
  CHECK(retired_output(OutputFormat::alive, unprobed).empty());
  CHECK_THAT(retired_output(OutputFormat::text, unprobed),
             Catch::StartsWith("\n--- a.example ping statistics ---\n0 packets transmitted, 0 received\n"));
  const auto summary = parsed_line(retired_output(OutputFormat::json, unprobed));
  CHECK(summary.at("addr").is_null());
  CHECK(summary.at("sent").as_int64() == 0);
  CHECK_FALSE(summary.at("complete").as_bool());

  // A target interrupted before its answer is listed as not answered too.
  uping::Statistics waiting;
  waiting.record_transmit();
  CHECK(retired_output(OutputFormat::unreachable,
                       {{"198.51.100.7", "198.51.100.7", true}, &waiting, {0, 0, false}, 0, true}) == "198.51.100.7\n");
}

TEST_CASE("a --file that failed ends the run as input_error, exit 2, whatever answered", "[sweep][json]") {
  RunTotals totals;
  totals.targets = 2;
  totals.alive = 2;
  totals.stopped = StopReason::input_error;
  totals.sources_exhausted = false;
  SweepOptions all;
  CHECK(exit_code(totals, all) == kError);
  SweepOptions one;
  one.reachable = 1;
  CHECK(exit_code(totals, one) == kError);
  const auto run = parsed_line(json_run_summary(totals, exit_code(totals, all)));
  CHECK(run.at("stopped").as_string() == "input_error");
  CHECK(run.at("exit").as_int64() == 2);
}
