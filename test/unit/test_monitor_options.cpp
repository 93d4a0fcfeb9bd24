// `uping --monitor`'s command line: when it is chosen, every option and its default, every limit
// on both sides, and the exact one-line text of every refusal.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/options.hpp"

using namespace uping::monitor;
using namespace std::chrono_literals;

namespace {

MonitorParse parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"uping", "--monitor"});
  return parse_command_line(args);
}

MonitorOptions accepted(std::vector<std::string> args) {
  const auto result = parse(args);
  INFO(result.err);
  REQUIRE(result.options);
  CHECK(result.err.empty());
  CHECK(result.exit_code == kExitStopped);
  return *result.options;
}

// The refusal's text, after checking it is one line with the program's prefix and exit 2.
std::string refusal(std::vector<std::string> args) {
  const auto result = parse(args);
  INFO(result.err);
  CHECK_FALSE(result.options);
  CHECK(result.exit_code == kExitError);
  CHECK(result.out.empty());
  REQUIRE(result.err.starts_with("uping: --monitor: "));
  REQUIRE(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  REQUIRE(result.err.back() == '\n');
  return result.err.substr(0, result.err.size() - 1);
}

}  // namespace

TEST_CASE("monitor options: --monitor anywhere before -- asks for the monitor", "[monitor]") {
  CHECK(requested({"uping", "--monitor", "a"}));
  CHECK(requested({"uping", "a", "-i", "5", "--monitor"}));
  CHECK_FALSE(requested({"uping", "a"}));
  CHECK_FALSE(requested({"uping", "--", "--monitor"}));
  CHECK_FALSE(requested({"uping", "--monitoring", "a"}));
  CHECK_FALSE(requested({"uping"}));
  const auto late = parse_command_line({"uping", "a", "-i", "5", "--monitor"});
  REQUIRE(late.options);
  CHECK(late.options->targets == std::vector<std::string>{"a"});
  CHECK(late.options->interval == 5s);
  // After "--" every word is a target, even one that looks like an option.
  CHECK(accepted({"a", "--", "-b"}).targets == std::vector<std::string>{"a", "-b"});
}

TEST_CASE("monitor options: the defaults", "[monitor]") {
  const auto options = accepted({"db1"});
  CHECK(options.program_name == "uping");
  CHECK(options.targets == std::vector<std::string>{"db1"});
  CHECK(options.ranges.empty());
  CHECK_FALSE(options.file);
  CHECK_FALSE(options.family);
  CHECK(options.interval == 1s);
  CHECK(options.timeout == 1s);
  CHECK(options.payload_size == 56);
  CHECK_FALSE(options.ttl);
  CHECK(options.resolve_every == 300s);
  CHECK_FALSE(options.listen);
  CHECK(options.max_connections == 64);
  CHECK(options.probe_allow.empty());
  CHECK(options.probe_max == 16);
  CHECK_FALSE(options.textfile);
  CHECK_FALSE(options.json);
  CHECK_FALSE(options.verbose);
  CHECK(options.down_after == 3);
  CHECK(options.up_after == 2);
  CHECK(options.summary_every == 60s);
  // /probe's limits are the monitor's, not the query parser's own defaults.
  const ProbeLimits& limits = options.probe_limits;
  CHECK(limits.max_count == 100);
  CHECK(limits.default_count == 3);
  CHECK(limits.min_interval == 10ms);
  CHECK(limits.max_interval == 10s);
  CHECK(limits.default_interval == 200ms);
  CHECK(limits.min_timeout == 1ms);
  CHECK(limits.max_timeout == 10s);
  CHECK(limits.default_timeout == 1s);
}

TEST_CASE("monitor options: every option", "[monitor]") {
  const auto options = accepted({"-4",
                                 "-i",
                                 "0.5",
                                 "-W",
                                 "2.5",
                                 "-s",
                                 "100",
                                 "-t",
                                 "9",
                                 "--file",
                                 "targets.txt",
                                 "-g",
                                 "198.51.100.0/30",
                                 "--generate",
                                 "203.0.113.1-203.0.113.3",
                                 "--resolve-every",
                                 "60",
                                 "--listen",
                                 "127.0.0.1:9375",
                                 "--max-connections",
                                 "5",
                                 "--probe-allow",
                                 "198.51.100.0/24",
                                 "--probe-max",
                                 "2",
                                 "--textfile",
                                 "uping.prom",
                                 "--json",
                                 "-v",
                                 "--down-after",
                                 "5",
                                 "--up-after",
                                 "4",
                                 "--summary-every",
                                 "0",
                                 "db1",
                                 "db2"});
  CHECK(options.family == uping::icmp::Family::v4);
  CHECK(options.interval == 500ms);
  CHECK(options.timeout == 2500ms);
  CHECK(options.payload_size == 100);
  CHECK(options.ttl == 9);
  CHECK(options.file == "targets.txt");
  REQUIRE(options.ranges.size() == 2);
  CHECK(options.ranges[0].size() == 2);  // a /30 without its network and broadcast addresses
  CHECK(options.ranges[1].size() == 3);
  CHECK(options.resolve_every == 60s);
  REQUIRE(options.listen);
  CHECK(options.listen->address == "127.0.0.1");
  CHECK(options.listen->port == 9375);
  CHECK(options.max_connections == 5);
  CHECK(options.probe_allow.blocks().size() == 1);
  CHECK(options.probe_max == 2);
  CHECK(options.textfile == "uping.prom");
  CHECK(options.json);
  CHECK(options.verbose);
  CHECK(options.down_after == 5);
  CHECK(options.up_after == 4);
  CHECK(options.summary_every == 0s);
  CHECK(options.targets == std::vector<std::string>{"db1", "db2"});
  CHECK(accepted({"-6", "::1"}).family == uping::icmp::Family::v6);
  // Joined forms, as getopt users type them.
  const auto joined = accepted({"-i0.25", "--down-after=7", "a"});
  CHECK(joined.interval == 250ms);
  CHECK(joined.down_after == 7);
}

TEST_CASE("monitor options: targets come from the command line, -g or --file", "[monitor]") {
  CHECK(accepted({"-g", "198.51.100.0/24"}).ranges.size() == 1);
  CHECK(accepted({"--file", "empty.txt"}).file == "empty.txt");  // read by the engine, may be empty
  CHECK(refusal({}) == "uping: --monitor: no target given (see uping --monitor --help)");
  CHECK(refusal({"--json"}) == "uping: --monitor: no target given (see uping --monitor --help)");
  CHECK(refusal({"--file", "-"}) ==
        "uping: --monitor: --file -: standard input cannot be read again on SIGHUP, give a file");
  CHECK(refusal({"--file", ""}) == "uping: --monitor: invalid --file '': a file name");
  CHECK(refusal({"198.51.100.0/24"}) == "uping: --monitor: 198.51.100.0/24: a range needs -g (-g 198.51.100.0/24)");
  CHECK(refusal({"-g", "198.51.100.0/33"}) == "uping: --monitor: -g 198.51.100.0/33: prefix length must be 0 to 32");
  CHECK(refusal({"-4", "-g", "2001:db8::/120"}) ==
        "uping: --monitor: -g 2001:db8::/120: not of the family asked for with -4 / -6");
  CHECK(refusal({"-6", "-g", "198.51.100.0/24"}) ==
        "uping: --monitor: -g 198.51.100.0/24: not of the family asked for with -4 / -6");
}

TEST_CASE("monitor options: at most a million targets from the command line and -g", "[monitor]") {
  // 15 /12 blocks of IPv6 addresses hold 15 * 65536 = 983,040; plus 16,960 more is exactly 1,000,000.
  std::vector<std::string> args;
  for (int block = 0; block < 15; ++block) {
    args.insert(args.end(), {"-g", "2001:db8:0:" + std::to_string(block) + "::/112"});
  }
  args.insert(args.end(), {"-g", "2001:db8:1::1-2001:db8:1::4240"});  // 0x4240 = 16,960
  CHECK(accepted(args).ranges.size() == 16);
  args.push_back("one.more");
  CHECK(refusal(args) == "uping: --monitor: 1000001 targets from the command line and -g: at most 1000000");
  CHECK(refusal({"-g", "10.0.0.0/8"}) ==
        "uping: --monitor: 16777214 targets from the command line and -g: at most 1000000");
}

TEST_CASE("monitor options: every limit on both sides", "[monitor]") {
  struct Limit {
    std::string option;
    std::string low_ok, high_ok, low_bad, high_bad;
    std::string unit;
  };
  const std::vector<Limit> limits = {
      {"-i", "0.001", "3600", "0.0009", "3600.5", "seconds, 0.001 to 3600"},
      {"-W", "0.001", "60", "0.0009", "60.001", "seconds, 0.001 to 60"},
      {"-s", "0", "65507", "-1", "65508", "a whole number, 0 to 65507"},
      {"-t", "1", "255", "0", "256", "a whole number, 1 to 255"},
      {"--resolve-every", "1", "86400", "0", "86401", "a whole number, 1 to 86400"},
      {"--down-after", "1", "1000", "0", "1001", "a whole number, 1 to 1000"},
      {"--up-after", "1", "1000", "0", "1001", "a whole number, 1 to 1000"},
      {"--summary-every", "0", "86400", "-1", "86401", "a whole number, 0 to 86400"},
      {"--max-connections", "1", "10000", "0", "10001", "a whole number, 1 to 10000"},
      {"--probe-max", "1", "1000", "0", "1001", "a whole number, 1 to 1000"},
  };
  for (const auto& limit : limits) {
    INFO(limit.option);
    accepted({limit.option, limit.low_ok, "a"});
    accepted({limit.option, limit.high_ok, "a"});
    for (const auto& bad : {limit.low_bad, limit.high_bad, std::string("x"), std::string("")}) {
      CHECK(refusal({limit.option, bad, "a"}) ==
            "uping: --monitor: invalid " + limit.option + " '" + bad + "': " + limit.unit);
    }
  }
  // The values land where they belong.
  CHECK(accepted({"-i", "0.001", "a"}).interval == 1ms);
  CHECK(accepted({"-i", "3600", "a"}).interval == 3600s);
  CHECK(accepted({"-W", "60", "a"}).timeout == 60s);
  CHECK(accepted({"-W", "3", "-i", "0.5", "a"}).timeout == 3s);  // longer than -i: probes overlap
  CHECK(accepted({"-s", "65507", "a"}).payload_size == 65507);
  CHECK(accepted({"-t", "255", "a"}).ttl == 255);
  CHECK(accepted({"--resolve-every", "86400", "a"}).resolve_every == 86400s);
  CHECK(accepted({"--down-after", "1000", "a"}).down_after == 1000);
  CHECK(accepted({"--up-after", "1", "a"}).up_after == 1);
  CHECK(accepted({"--summary-every", "86400", "a"}).summary_every == 86400s);
  CHECK(accepted({"--max-connections", "10000", "a"}).max_connections == 10000);
  CHECK(accepted({"--probe-max", "1000", "a"}).probe_max == 1000);
  // Whole numbers are whole; numbers are read in the C locale whatever the environment says.
  CHECK(refusal({"-t", "1.5", "a"}) == "uping: --monitor: invalid -t '1.5': a whole number, 1 to 255");
  CHECK(refusal({"-i", "0,5", "a"}) == "uping: --monitor: invalid -i '0,5': seconds, 0.001 to 3600");
  CHECK(refusal({"-i", "inf", "a"}) == "uping: --monitor: invalid -i 'inf': seconds, 0.001 to 3600");
  // An IPv6 datagram holds 20 payload bytes more; without -6 a target may be IPv4.
  CHECK(accepted({"-6", "-s", "65527", "::1"}).payload_size == 65527);
  CHECK(refusal({"-6", "-s", "65528", "::1"}) == "uping: --monitor: invalid -s '65528': a whole number, 0 to 65527");
}

TEST_CASE("monitor options: --listen takes a numeric address and a port", "[monitor]") {
  const auto listen = [](const std::string& text) {
    const auto options = accepted({"--listen", text, "a"});
    REQUIRE(options.listen);
    return *options.listen;
  };
  CHECK(listen("127.0.0.1:9375").address == "127.0.0.1");
  CHECK(listen("127.0.0.1:9375").port == 9375);
  CHECK(listen("[::1]:9375").address == "::1");
  CHECK(listen("[2001:DB8::0:1]:80").address == "2001:db8::1");  // canonical form
  CHECK(listen(":9375").address == "::");                        // every address
  CHECK(listen(":9375").port == 9375);
  CHECK(listen("0.0.0.0:0").port == 0);  // any free port: the engine prints it
  CHECK(listen("[::]:65535").port == 65535);
  const std::string bad = "uping: --monitor: invalid --listen '";
  CHECK(refusal({"--listen", "localhost:9375", "a"}) ==
        bad + "localhost:9375': not a numeric address (names are refused: [IPv6]:PORT for IPv6)");
  CHECK(refusal({"--listen", "127.0.0.1", "a"}) ==
        bad + "127.0.0.1': a port is needed (ADDRESS:PORT, [IPv6]:PORT or :PORT)");
  CHECK(refusal({"--listen", "127.0.0.1:", "a"}) == bad + "127.0.0.1:': a port is needed after ':'");
  CHECK(refusal({"--listen", ":", "a"}) == bad + ":': a port is needed after ':'");
  CHECK(refusal({"--listen", "127.0.0.1:65536", "a"}) ==
        bad + "127.0.0.1:65536': the port must be a whole number, 0 to 65535");
  CHECK(refusal({"--listen", "127.0.0.1:-1", "a"}) ==
        bad + "127.0.0.1:-1': the port must be a whole number, 0 to 65535");
  CHECK(refusal({"--listen", "127.0.0.1:http", "a"}) ==
        bad + "127.0.0.1:http': the port must be a whole number, 0 to 65535");
  CHECK(refusal({"--listen", "127.0.0.1:93 75", "a"}) ==
        bad + "127.0.0.1:93 75': the port must be a whole number, 0 to 65535");
  CHECK(refusal({"--listen", "::1:9375", "a"}) == bad + "::1:9375': an IPv6 address needs brackets ([::1]:9375)");
  CHECK(refusal({"--listen", "[::1]9375", "a"}) == bad + "[::1]9375': a port is needed after ']:'");
  CHECK(refusal({"--listen", "[::1]", "a"}) == bad + "[::1]': a port is needed after ']:'");
  CHECK(refusal({"--listen", "[::1:9375", "a"}) == bad + "[::1:9375': no ']' after the IPv6 address");
  CHECK(refusal({"--listen", "[]:9375", "a"}) ==
        bad + "[]:9375': an empty IPv6 address (for every address, give :PORT)");
  CHECK(refusal({"--listen", "[127.0.0.1]:9375", "a"}) == bad + "[127.0.0.1]:9375': not a numeric IPv6 address");
  CHECK(refusal({"--listen", "[db1]:9375", "a"}) == bad + "[db1]:9375': not a numeric IPv6 address");
  CHECK(refusal({"--listen", "127.0.0.256:9375", "a"}) ==
        bad + "127.0.0.256:9375': not a numeric address (names are refused: [IPv6]:PORT for IPv6)");
  CHECK(refusal({"--listen", "", "a"}) ==
        "uping: --monitor: invalid --listen '': a port is needed (ADDRESS:PORT, "
        "[IPv6]:PORT or :PORT)");
}

TEST_CASE("monitor options: --probe-allow is repeatable and takes lists", "[monitor]") {
  const auto options = accepted(
      {"--probe-allow", "198.51.100.0/24,2001:db8::/32", "--probe-allow", "203.0.113.5", "a"});
  REQUIRE(options.probe_allow.blocks().size() == 3);
  CHECK(options.probe_allow.blocks()[0].prefix == 24);
  CHECK(options.probe_allow.blocks()[1].prefix == 32);
  CHECK(options.probe_allow.blocks()[2].prefix == 32);  // a single address
  CHECK(refusal({"--probe-allow", "", "a"}) ==
        "uping: --monitor: invalid --probe-allow '': an address block such as 198.51.100.0/24");
  CHECK(refusal({"--probe-allow", "198.51.100.0/24,", "a"}) ==
        "uping: --monitor: invalid --probe-allow '198.51.100.0/24,': an empty item in the list");
  CHECK(refusal({"--probe-allow", ",198.51.100.0/24", "a"}) ==
        "uping: --monitor: invalid --probe-allow ',198.51.100.0/24': an empty item in the list");
  // parse_cidr's own refusals (allow_list.hpp) come after the option's name: no names, no host
  // bits (a typo must not widen the list), prefixes in range.
  CHECK(refusal({"--probe-allow", "db1", "a"}) ==
        "uping: --monitor: --probe-allow db1: not an IPv4 or IPv6 address (or CIDR block)");
  CHECK(refusal({"--probe-allow", "198.51.100.0/24,198.51.100.7/24", "a"}) ==
        "uping: --monitor: --probe-allow 198.51.100.7/24: host bits set after the /24 prefix (the block would be "
        "198.51.100.0/24)");
  CHECK(refusal({"--probe-allow", "2001:db8::/129", "a"}) ==
        "uping: --monitor: --probe-allow 2001:db8::/129: prefix length must be 0 to 128");
}

TEST_CASE("monitor options: --textfile needs its directory", "[monitor]") {
  CHECK(accepted({"--textfile", "/tmp/uping.prom", "a"}).textfile == "/tmp/uping.prom");
  CHECK(accepted({"--textfile", "uping.prom", "a"}).textfile == "uping.prom");  // the working directory
  CHECK(refusal({"--textfile", "/nonexistent-uping-dir/uping.prom", "a"}) ==
        "uping: --monitor: --textfile /nonexistent-uping-dir/uping.prom: the directory /nonexistent-uping-dir "
        "does not exist");
  CHECK(refusal({"--textfile", "/etc/hostname/uping.prom", "a"}) ==
        "uping: --monitor: --textfile /etc/hostname/uping.prom: the directory /etc/hostname does not exist");
  CHECK(refusal({"--textfile", "/tmp/", "a"}) ==
        "uping: --monitor: invalid --textfile '/tmp/': a file name, not a directory");
  CHECK(refusal({"--textfile", "", "a"}) == "uping: --monitor: invalid --textfile '': a file name");
}

TEST_CASE("monitor options: the family, from -4 / -6 or the program's name", "[monitor]") {
  CHECK(refusal({"-4", "-6", "a"}) == "uping: --monitor: only one -4 or -6 option may be specified");
  const auto as_ping6 = parse_command_line({"/usr/bin/ping6", "--monitor", "::1"});
  REQUIRE(as_ping6.options);
  CHECK(as_ping6.options->family == uping::icmp::Family::v6);
  CHECK(as_ping6.options->program_name == "/usr/bin/ping6");
  const auto conflict = parse_command_line({"ping4", "--monitor", "-6", "::1"});
  CHECK(conflict.err == "ping4: --monitor: only one -4 or -6 option may be specified\n");
}

TEST_CASE("monitor options: CLI11's refusals are one line too", "[monitor]") {
  CHECK(refusal({"-x", "a"}) ==
        "uping: --monitor: The following argument was not expected: -x (see uping --monitor --help)");
  CHECK(refusal({"-i"}) == "uping: --monitor: -i: 1 required TEXT missing (see uping --monitor --help)");
  CHECK(refusal({"-i", "1", "-i", "2", "a"}) ==
        "uping: --monitor: -i: At Most 1 required but received 2 (see uping --monitor --help)");
  CHECK(refusal({"--listen=", "a"}) ==
        "uping: --monitor: invalid --listen '': an empty value (see uping --monitor --help)");
  CHECK(refusal({"-c", "3", "a"}) ==
        "uping: --monitor: The following argument was not expected: -c (see uping --monitor --help)");
}

TEST_CASE("monitor options: --help", "[monitor]") {
  for (const std::string help : {"--help", "-h"}) {
    const auto result = parse({help, "-i", "nonsense"});
    CHECK_FALSE(result.options);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(result.out == help_text("uping"));
  }
  const std::string text = help_text("uping");
  CHECK(text.starts_with("Usage: uping --monitor [options] <target>... | -g <range> | --file <file>\n"));
  // Every option is in it, and no line is wider than a terminal.
  for (const std::string option : {"-i ", "-W ", "-s ", "-t ", "-4, -6", "--file", "--generate", "--resolve-every",
                                   "--listen", "--max-connections", "--probe-allow", "--probe-max", "--textfile",
                                   "--json", "-v ", "--down-after", "--up-after", "--summary-every"}) {
    CHECK_THAT(text, Catch::Contains(option));
  }
  std::size_t begin = 0;
  while (begin < text.size()) {
    const auto end = text.find('\n', begin);
    INFO(text.substr(begin, end - begin));
    CHECK(end - begin <= 100);
    begin = end + 1;
  }
  CHECK(text.back() == '\n');
}
