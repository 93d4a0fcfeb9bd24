#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ping/options.hpp"
#include "uping/version.hpp"

// Expected texts come from iputils' sources and from running Debian's ping (20221126) where it
// agrees with 20250605: negative -i, the -s packet limit and the missing target's exit code 2
// are 20250605's.

namespace {

using uping::kExitError;
using uping::kExitNoReply;
using uping::kExitOk;
using uping::parse_command_line;
using uping::ParseResult;
using uping::usage_text;
using uping::icmp::Family;
using Args = std::vector<std::string>;

std::string joined(const Args& args) {
  std::string text;
  for (const auto& arg : args) text += "[" + arg + "]";
  return text;
}

uping::Options parse_ok(const Args& args) {
  INFO("args: " << joined(args));
  const ParseResult result = parse_command_line(args);
  INFO("err: " << result.err);
  REQUIRE(result.options.has_value());
  CHECK(result.exit_code == kExitOk);
  CHECK(result.out.empty());
  CHECK(result.err.empty());
  return *result.options;
}

}  // namespace

TEST_CASE("defaults when only a target is given", "[options]") {
  const auto options = parse_ok({"ping", "127.0.0.1"});
  CHECK(options.program_name == "ping");
  CHECK(options.target == "127.0.0.1");
  CHECK_FALSE(options.family.has_value());
  CHECK_FALSE(options.count.has_value());
  CHECK(options.interval_seconds == 1.0);
  CHECK_FALSE(options.interval_given);
  CHECK_FALSE(options.deadline_seconds.has_value());
  CHECK(options.linger_seconds == 10.0);
  CHECK_FALSE(options.linger_given);
  CHECK(options.payload_size == 56);
  CHECK_FALSE(options.ttl.has_value());
  CHECK(options.interface.empty());
  CHECK_FALSE(options.quiet);
  CHECK_FALSE(options.numeric);
  CHECK_FALSE(options.verbose);
  CHECK_FALSE(options.print_timestamps);
  CHECK_FALSE(options.report_outstanding);
}

TEST_CASE("every spelling of a value option gives the same value", "[options]") {
  const std::vector<Args> spellings = {
      {"ping", "-c", "3", "h"},   {"ping", "-c3", "h"},
      {"ping", "h", "-c", "3"},   {"ping", "h", "-c3"},
      {"ping", "-qc3", "h"},      {"ping", "-qc", "3", "h"},
      {"ping", "-c", " 3", "h"},  {"ping", "-c", "+3", "h"},
      {"ping", "-c", "003", "h"}, {"ping", "-c", "9", "-c3", "h"},  // the last occurrence wins
  };
  for (const auto& args : spellings) {
    const auto options = parse_ok(args);
    INFO(joined(args));
    REQUIRE(options.count.has_value());
    CHECK(*options.count == 3);
    CHECK(options.target == "h");
  }
}

TEST_CASE("each supported option sets its field", "[options]") {
  SECTION("flags, alone and clustered") {
    const auto options = parse_ok({"ping", "-q", "-n", "-v", "-D", "-O", "h"});
    CHECK(options.quiet);
    CHECK(options.numeric);
    CHECK(options.verbose);
    CHECK(options.print_timestamps);
    CHECK(options.report_outstanding);
    const auto clustered = parse_ok({"ping", "-4qnvDO", "h"});
    CHECK(clustered.family == Family::v4);
    CHECK(clustered.quiet);
    CHECK(clustered.numeric);
    CHECK(clustered.verbose);
    CHECK(clustered.print_timestamps);
    CHECK(clustered.report_outstanding);
  }
  SECTION("-4 and -6, repeated the same is fine") {
    CHECK(parse_ok({"ping", "-4", "h"}).family == Family::v4);
    CHECK(parse_ok({"ping", "-6", "h"}).family == Family::v6);
    CHECK(parse_ok({"ping", "-44", "h"}).family == Family::v4);
    CHECK(parse_ok({"ping", "-6", "h", "-6"}).family == Family::v6);
  }
  SECTION("-c bounds") {
    CHECK(parse_ok({"ping", "-c", "1", "h"}).count == 1u);
    CHECK(parse_ok({"ping", "-c", "9223372036854775807", "h"}).count == 9223372036854775807u);
  }
  SECTION("-w: zero means no deadline, as in iputils") {
    CHECK(parse_ok({"ping", "-w", "5", "h"}).deadline_seconds == 5u);
    CHECK(parse_ok({"ping", "-w2147483647", "h"}).deadline_seconds == 2147483647u);
    CHECK_FALSE(parse_ok({"ping", "-w", "0", "h"}).deadline_seconds.has_value());
  }
  SECTION("-t bounds") {
    CHECK(parse_ok({"ping", "-t", "0", "h"}).ttl == 0);
    CHECK(parse_ok({"ping", "-t255", "h"}).ttl == 255);
  }
  SECTION("-s bounds by family") {
    CHECK(parse_ok({"ping", "-s", "0", "h"}).payload_size == 0);
    CHECK(parse_ok({"ping", "-s", "65507", "127.0.0.1"}).payload_size == 65507);
    CHECK(parse_ok({"ping", "-s", "65527", "::1"}).payload_size == 65527);
    CHECK(parse_ok({"ping", "-6", "-s", "65527", "h"}).payload_size == 65527);
    CHECK(parse_ok({"ping", "-s", "65527", "name.example"}).payload_size == 65527);
  }
  SECTION("-i and -W: seconds, whole milliseconds, '.' whatever the locale") {
    const auto options = parse_ok({"ping", "-i", "0.25", "-W", "1.5", "h"});
    CHECK(options.interval_given);
    CHECK(options.interval_seconds == Approx(0.25));
    CHECK(options.linger_given);
    CHECK(options.linger_seconds == Approx(1.5));
    CHECK(parse_ok({"ping", "-i0.0025", "h"}).interval_seconds == Approx(0.002));
    CHECK(parse_ok({"ping", "-i", "0", "h"}).interval_seconds == 0.0);
    CHECK(parse_ok({"ping", "-i", "-0", "h"}).interval_seconds == 0.0);
    CHECK(parse_ok({"ping", "-W", "0", "h"}).linger_seconds == 0.0);
    CHECK(parse_ok({"ping", "-W", "4294.967", "h"}).linger_seconds == Approx(4294.967));
    CHECK(parse_ok({"ping", "-i", "2147483", "h"}).interval_seconds == Approx(2147483.0));
    CHECK(parse_ok({"ping", "-i", " 2", "h"}).interval_seconds == Approx(2.0));
  }
  SECTION("-I keeps the interface or address as given") {
    CHECK(parse_ok({"ping", "-I", "lo", "h"}).interface == "lo");
    CHECK(parse_ok({"ping", "-Ieth0", "h"}).interface == "eth0");
    CHECK(parse_ok({"ping", "-I", "10.0.0.1", "h"}).interface == "10.0.0.1");
    CHECK(parse_ok({"ping", "-I", "fe80::1%eth0", "h"}).interface == "fe80::1%eth0");
  }
}

TEST_CASE("getopt's argument forms", "[options]") {
  SECTION("an option's value is the next argument whatever it looks like") {
    CHECK(parse_ok({"ping", "-I", "-q", "h"}).interface == "-q");
    CHECK(parse_ok({"ping", "-I", "--", "h"}).interface == "--");
    CHECK(parse_ok({"ping", "-I", "[x]", "h"}).interface == "[x]");
  }
  SECTION("\"--\" ends the options; what follows is the target") {
    const auto options = parse_ok({"ping", "-c1", "--", "-q"});
    CHECK(options.target == "-q");
    CHECK_FALSE(options.quiet);
  }
  SECTION("a lone '-' is an operand") { CHECK(parse_ok({"ping", "-"}).target == "-"); }
  SECTION("options after the target") {
    const auto options = parse_ok({"ping", "127.0.0.1", "-c", "1", "-q"});
    CHECK(options.target == "127.0.0.1");
    CHECK(options.count == 1u);
    CHECK(options.quiet);
  }
}

TEST_CASE("invocation name implies the family", "[options]") {
  const std::vector<std::pair<std::string, std::optional<Family>>> names = {
      {"ping4", Family::v4},    {"/usr/bin/ping6", Family::v6}, {"uping4", Family::v4},
      {"./uping6", Family::v6}, {"ping", std::nullopt},         {"/bin/uping", std::nullopt},
  };
  for (const auto& [name, family] : names) {
    INFO(name);
    const auto options = parse_ok({name, "h"});
    CHECK(options.family == family);
    CHECK(options.program_name == name);
  }
  SECTION("and conflicts with the other family") {
    const auto result = parse_command_line({"ping4", "-6", "h"});
    CHECK(result.exit_code == kExitError);
    CHECK(result.err == "ping4: only one -4 or -6 option may be specified\n");
  }
  SECTION("-s then follows the implied family") {
    const auto result = parse_command_line({"ping4", "-s", "65508", "h"});
    CHECK(result.exit_code == kExitNoReply);
    CHECK(result.err == "ping4: invalid -s value: '65508': out of range: 0 <= value <= 65507\n");
  }
}

TEST_CASE("errors: exact message and exit code", "[options]") {
  struct Case {
    Args args;
    int exit_code;
    std::string err;
  };
  const std::string c_range = ": out of range: 1 <= value <= 9223372036854775807\n";
  const std::string int_range = ": out of range: 0 <= value <= 2147483647\n";
  const std::vector<Case> cases = {
      // integers (iputils' strtol_or_err): exit 1
      {{"ping", "-c", "0", "h"}, kExitNoReply, "ping: invalid argument: '0'" + c_range},
      {{"ping", "-c", "-1", "h"}, kExitNoReply, "ping: invalid argument: '-1'" + c_range},
      {{"ping", "-c", "-0", "h"}, kExitNoReply, "ping: invalid argument: '-0'" + c_range},
      {{"ping", "-c", "abc", "h"}, kExitNoReply, "ping: invalid argument: 'abc'\n"},
      {{"ping", "-c", "1x", "h"}, kExitNoReply, "ping: invalid argument: '1x'\n"},
      {{"ping", "-c", "2 ", "h"}, kExitNoReply, "ping: invalid argument: '2 '\n"},
      {{"ping", "-c", "0x10", "h"}, kExitNoReply, "ping: invalid argument: '0x10'\n"},
      {{"ping", "-c", "", "h"}, kExitNoReply, "ping: invalid argument: ''\n"},
      {{"ping", "-c", "99999999999999999999", "h"},
       kExitNoReply,
       "ping: invalid argument: '99999999999999999999': Numerical result out of range\n"},
      {{"ping", "-c", "-q", "h"}, kExitNoReply, "ping: invalid argument: '-q'\n"},
      {{"ping", "-w", "-1", "h"}, kExitNoReply, "ping: invalid argument: '-1'" + int_range},
      {{"ping", "-w", "2147483648", "h"}, kExitNoReply, "ping: invalid argument: '2147483648'" + int_range},
      {{"ping", "-w", "0.5", "h"}, kExitNoReply, "ping: invalid argument: '0.5'\n"},
      {{"ping", "-s", "-1", "h"}, kExitNoReply, "ping: invalid argument: '-1'" + int_range},
      {{"ping", "-s", "abc", "h"}, kExitNoReply, "ping: invalid argument: 'abc'\n"},
      {{"ping", "-t", "256", "h"}, kExitNoReply, "ping: invalid argument: '256': out of range: 0 <= value <= 255\n"},
      {{"ping", "-t", " -1", "h"}, kExitNoReply, "ping: invalid argument: ' -1': out of range: 0 <= value <= 255\n"},
      // the packet size limit, checked once the target is known: exit 1
      {{"ping", "-s", "70000", "127.0.0.1"},
       kExitNoReply,
       "ping: invalid -s value: '70000': out of range: 0 <= value <= 65507\n"},
      {{"ping", "-s", "+65508", "127.0.0.1"},
       kExitNoReply,
       "ping: invalid -s value: '65508': out of range: 0 <= value <= 65507\n"},
      {{"ping", "-4", "-s", "65508", "name.example"},
       kExitNoReply,
       "ping: invalid -s value: '65508': out of range: 0 <= value <= 65507\n"},
      {{"ping", "-s", "65528", "::1"},
       kExitNoReply,
       "ping: invalid -s value: '65528': out of range: 0 <= value <= 65527\n"},
      {{"ping", "-s", "65528", "name.example"},
       kExitNoReply,
       "ping: invalid -s value: '65528': out of range: 0 <= value <= 65527\n"},
      {{"ping", "-6", "-s", "65508", "127.0.0.1"},
       kExitNoReply,  // the literal decides
       "ping: invalid -s value: '65508': out of range: 0 <= value <= 65507\n"},
      // seconds (iputils' ping_strtod): exit 2
      {{"ping", "-i", "-1", "h"}, kExitError, "ping: bad timing interval: -1\n"},
      {{"ping", "-i", "2147484", "h"}, kExitError, "ping: bad timing interval: 2147484\n"},
      {{"ping", "-i", "nan", "h"}, kExitError, "ping: bad timing interval: nan: Numerical result out of range\n"},
      {{"ping", "-i", "inf", "h"}, kExitError, "ping: bad timing interval: inf: Numerical result out of range\n"},
      {{"ping", "-i", "", "h"}, kExitError, "ping: bad timing interval: : No such file or directory\n"},
      {{"ping", "-W", "-1", "h"}, kExitError, "ping: bad linger time: -1\n"},
      {{"ping", "-W", "2147484", "h"}, kExitError, "ping: bad linger time: 2147484\n"},
      // 20250605 keeps -W in uint32_t microseconds: at most 4294.967295 s
      {{"ping", "-W", "4294.968", "h"}, kExitError, "ping: bad linger time: 4294.968\n"},
      {{"ping", "-W", "4295", "h"}, kExitError, "ping: bad linger time: 4295\n"},
      {{"ping", "-W", "nan", "h"}, kExitError, "ping: bad linger time: nan: Numerical result out of range\n"},
      {{"ping", "-W", "", "h"}, kExitError, "ping: bad linger time: : No such file or directory\n"},
      // the rest: exit 2
      {{"ping", "-4", "-6", "h"}, kExitError, "ping: only one -4 or -6 option may be specified\n"},
      {{"ping", "-64", "h"}, kExitError, "ping: only one -4 or -6 option may be specified\n"},
      {{"ping", "-I", "fe80::zz", "h"}, kExitError, "ping: invalid source address: fe80::zz\n"},
      {{"ping", "-I", "lo0:1", "h"}, kExitError, "ping: invalid source address: lo0:1\n"},
      {{"ping"}, kExitError, "ping: usage error: Destination address required\n"},
      {{"ping", "-c", "1", "-q"}, kExitError, "ping: usage error: Destination address required\n"},
      {{"/usr/bin/ping", "-n"}, kExitError, "/usr/bin/ping: usage error: Destination address required\n"},
      // the first error in command-line order wins, as getopt hands them over one by one
      {{"ping", "-t", "300", "-c", "0", "h"},
       kExitNoReply,
       "ping: invalid argument: '300': out of range: 0 <= value <= 255\n"},
      {{"ping", "-c", "0", "-4", "-6", "h"}, kExitNoReply, "ping: invalid argument: '0'" + c_range},
      {{"ping", "-4", "-6", "-c", "0", "h"}, kExitError, "ping: only one -4 or -6 option may be specified\n"},
      {{"ping", "-c", "0", "-y", "h"}, kExitNoReply, "ping: invalid argument: '0'" + c_range},
      {{"ping", "-s", "70000", "-c", "0", "127.0.0.1"}, kExitNoReply, "ping: invalid argument: '0'" + c_range},
      {{"ping", "-s", "70000"}, kExitError, "ping: usage error: Destination address required\n"},
  };
  for (const auto& c : cases) {
    INFO("args: " << joined(c.args));
    const ParseResult result = parse_command_line(c.args);
    CHECK_FALSE(result.options.has_value());
    CHECK(result.exit_code == c.exit_code);
    CHECK(result.err == c.err);
    CHECK(result.out.empty());
  }
}

TEST_CASE("getopt errors: message then usage on stderr, exit 2", "[options]") {
  struct Case {
    Args args;
    std::string first_line;  // before the usage text; empty for -h
  };
  const std::vector<Case> cases = {
      {{"ping", "-y", "h"}, "ping: invalid option -- 'y'\n"},
      {{"ping", "h", "-qy"}, "ping: invalid option -- 'y'\n"},
      {{"ping", "-j", "h"}, "ping: invalid option -- 'j'\n"},  // not in 20250605
      {{"ping", "-K", "h"}, "ping: invalid option -- 'K'\n"},
      {{"ping", "-5", "h"}, "ping: invalid option -- '5'\n"},
      {{"ping", "-!", "h"}, "ping: invalid option -- '!'\n"},
      {{"ping", "--count=1", "h"}, "ping: invalid option -- '-'\n"},
      {{"ping", "--help"}, "ping: invalid option -- '-'\n"},
      {{"ping", "-y", "-c", "0", "h"}, "ping: invalid option -- 'y'\n"},  // before the -c error
      {{"ping", "h", "-c"}, "ping: option requires an argument -- 'c'\n"},
      {{"ping", "h", "-qW"}, "ping: option requires an argument -- 'W'\n"},
      {{"uping6", "h", "-I"}, "uping6: option requires an argument -- 'I'\n"},
      {{"ping", "-h"}, ""},
      {{"ping", "-?", "h"}, ""},
      {{"ping", "-qh", "h"}, ""},
      {{"ping", "h", "-c", "1", "-h"}, ""},
      {{"ping", "a", "b"}, ""},  // source-route hop lists are not supported
  };
  for (const auto& c : cases) {
    INFO("args: " << joined(c.args));
    const ParseResult result = parse_command_line(c.args);
    CHECK_FALSE(result.options.has_value());
    CHECK(result.exit_code == kExitError);
    CHECK(result.out.empty());
    CHECK(result.err == c.first_line + usage_text(c.args.front()));
  }
}

TEST_CASE("the version option prints on stdout and exits 0 at once", "[options]") {
  // Scripts branch on "iputils" in `ping -V`: the line names the iputils release uping follows.
  const std::string line = std::string("uping ") + uping::kVersion + " (ping from iputils 20250605 compatible)\n";
  struct Case {
    Args args;
    std::string out;
  };
  const std::vector<Case> cases = {
      {{"ping", "-V"}, line},
      {{"/usr/local/bin/uping", "-V", "h"}, line},
      {{"ping", "-qV"}, line},
      {{"ping", "-V", "-y"}, line},       // acted on before getopt reaches -y
      {{"ping", "-V", "-c", "0"}, line},  // and before -c is checked
  };
  for (const auto& c : cases) {
    INFO("args: " << joined(c.args));
    const ParseResult result = parse_command_line(c.args);
    CHECK_FALSE(result.options.has_value());
    CHECK(result.exit_code == kExitOk);
    CHECK(result.out == c.out);
    CHECK(result.err.empty());
  }
  SECTION("an error before -V still wins") {
    const auto result = parse_command_line({"ping", "-c", "0", "-V"});
    CHECK(result.exit_code == kExitNoReply);
    CHECK(result.out.empty());
  }
}

TEST_CASE("garbage after a -i / -W number only warns, as in iputils", "[options]") {
  const std::string warning =
      "ping: option argument contains garbage: x\n"
      "ping: this will become fatal error in the future\n";
  SECTION("the number before the garbage is used") {
    const auto result = parse_command_line({"ping", "-i", "1.5x", "h"});
    REQUIRE(result.options.has_value());
    CHECK(result.exit_code == kExitOk);
    CHECK(result.err == warning);
    CHECK(result.options->interval_seconds == Approx(1.5));
  }
  SECTION("no number at all reads as zero") {
    const auto result = parse_command_line({"ping", "-W", "abc", "h"});
    REQUIRE(result.options.has_value());
    CHECK(result.err ==
          "ping: option argument contains garbage: abc\n"
          "ping: this will become fatal error in the future\n");
    CHECK(result.options->linger_seconds == 0.0);
  }
  SECTION("a decimal comma is garbage: the point is the separator whatever the locale") {
    const auto result = parse_command_line({"ping", "-i", "0,5", "h"});
    REQUIRE(result.options.has_value());
    CHECK(result.err ==
          "ping: option argument contains garbage: ,5\n"
          "ping: this will become fatal error in the future\n");
    CHECK(result.options->interval_seconds == 0.0);
  }
  SECTION("warnings come before a later fatal error") {
    const auto result = parse_command_line({"ping", "-i", "1x", "-t", "300", "h"});
    CHECK_FALSE(result.options.has_value());
    CHECK(result.exit_code == kExitNoReply);
    CHECK(result.err == warning + "ping: invalid argument: '300': out of range: 0 <= value <= 255\n");
  }
  SECTION("an out-of-range number warns, then fails") {
    const auto result = parse_command_line({"ping", "-i", "1e999", "h"});
    CHECK(result.exit_code == kExitError);
    CHECK(result.err ==
          "ping: option argument contains garbage: \n"
          "ping: this will become fatal error in the future\n"
          "ping: bad timing interval: 1e999: Numerical result out of range\n");
  }
}

TEST_CASE("no CLI11 text or exit code ever leaks", "[options]") {
  const std::vector<Args> odd_inputs = {
      {"ping", "--"},
      {"ping", "--", "--"},
      {"ping", "---"},
      {"ping", "-c", "1", "-c"},
      {"ping", "--c", "1", "h"},
      {"ping", "/c", "h"},
      {"ping", "-c", "[1,2]", "h"},
      {"ping", "h", "--version"},
      {"ping", "-"},
      {"ping", "-q", "-q", "h", "-q"},
      {"ping", "-I", "a", "-I", "b", "h"},
      {""},
  };
  for (const auto& args : odd_inputs) {
    INFO("args: " << joined(args));
    const ParseResult result = parse_command_line(args);
    CHECK((result.exit_code == kExitOk || result.exit_code == kExitNoReply || result.exit_code == kExitError));
    for (const char* marker : {"CLI11", "Run with", "not expected", "ArgumentMismatch", "Expected at least",
                               "is required", "The following"}) {
      CHECK(result.err.find(marker) == std::string::npos);
    }
  }
  SECTION("repeated flags and values are not CLI11 errors") {
    CHECK(parse_ok({"ping", "-q", "-q", "h", "-q"}).quiet);
    CHECK(parse_ok({"ping", "-I", "a", "-I", "b", "h"}).interface == "b");
  }
  SECTION("an empty program name falls back to uping") {
    const auto result = parse_command_line({""});
    CHECK(result.err == "uping: usage error: Destination address required\n");
  }
}

TEST_CASE("usage text lists every iputils option, each once", "[options]") {
  const std::string text = usage_text("/usr/bin/uping");
  CHECK(text.rfind("\nUsage\n  uping [options] <destination>\n", 0) == 0);
  for (const char* entry : {"<destination> ",
                            "-3 ",
                            "-4 ",
                            "-6 ",
                            "-a ",
                            "-A ",
                            "-b ",
                            "-B ",
                            "-c <count>",
                            "-C ",
                            "-d ",
                            "-D ",
                            "-e <identifier>",
                            "-f ",
                            "-F <flowlabel>",
                            "-h ",
                            "-H ",
                            "-I <interface>",
                            "-i <interval>",
                            "-l <preload>",
                            "-L ",
                            "-m <mark>",
                            "-M <pmtud opt>",
                            "-n ",
                            "-N <nodeinfo opt>",
                            "-O ",
                            "-p <pattern>",
                            "-q ",
                            "-Q <tclass>",
                            "-r ",
                            "-R ",
                            "-s <size>",
                            "-S <size>",
                            "-t <ttl>",
                            "-T <timestamp>",
                            "-U ",
                            "-v ",
                            "-V ",
                            "-w <deadline>",
                            "-W <timeout>"}) {
    INFO(entry);
    const std::string line = std::string("\n  ") + entry;
    const auto at = text.find(line);
    CHECK(at != std::string::npos);
    CHECK(text.find(line, at + 1) == std::string::npos);
  }
  CHECK(text.back() == '\n');
  CHECK(text.find("--json --help\n") != std::string::npos);
}

TEST_CASE("user limits follow iputils' millisecond rule", "[options]") {
  const std::string flood = "cannot flood, minimal interval for user must be >= 2 ms, use -i 0.002 (or higher)";
  struct Case {
    std::string interval;
    bool root;
    bool refused;
  };
  const std::vector<Case> cases = {
      {"0", false, true},       {"0.001", false, true}, {"0.0019", false, true}, {"0.002", false, false},
      {"0.0025", false, false}, {"1", false, false},    {"0", true, false},      {"0.001", true, false},
  };
  for (const auto& c : cases) {
    INFO("-i " << c.interval << (c.root ? " as root" : " as user"));
    const auto options = parse_ok({"ping", "-i", c.interval, "h"});
    const auto violation = uping::user_limit_violation(options, c.root);
    if (c.refused) {
      REQUIRE(violation.has_value());
      CHECK(*violation == flood);
    } else {
      CHECK_FALSE(violation.has_value());
    }
  }
  CHECK_FALSE(uping::user_limit_violation(uping::Options{}, false).has_value());
  SECTION("options built by hand: truncated to whole milliseconds, not rounded") {
    uping::Options options;
    options.interval_seconds = 0.0019;
    CHECK(uping::user_limit_violation(options, false) == flood);
    options.interval_seconds = 0.002;
    CHECK_FALSE(uping::user_limit_violation(options, false).has_value());
  }
}

TEST_CASE("payload limits per family", "[options]") {
  CHECK(uping::max_payload_size(Family::v4) == 65507);
  CHECK(uping::max_payload_size(Family::v6) == 65527);
}

TEST_CASE("iputils 20250605's other options set their fields", "[options]") {
  SECTION("flags") {
    const auto options = parse_ok({"ping", "-3aAbBCdfHLrRU", "h"});
    CHECK(options.rtt_precision);
    CHECK(options.audible);
    CHECK(options.adaptive);
    CHECK(options.broadcast);
    CHECK(options.strict_source);
    CHECK(options.connect_socket);
    CHECK(options.so_debug);
    CHECK(options.flood);
    CHECK(options.numeric);  // -f implies -n, as in iputils
    CHECK(options.force_lookup);
    CHECK(options.no_loop);
    CHECK(options.dont_route);
    CHECK(options.record_route);
    CHECK(options.latency);
  }
  SECTION("-n after -H cancels it, -H after -n forces lookups again") {
    CHECK_FALSE(parse_ok({"ping", "-H", "-n", "h"}).force_lookup);
    const auto options = parse_ok({"ping", "-n", "-H", "h"});
    CHECK(options.numeric);
    CHECK(options.force_lookup);
  }
  SECTION("values") {
    const auto options = parse_ok({"ping", "-e", "65535", "-l", "3", "-m", "4294967295", "-M", "probe", "-Q", "0x10",
                                   "-S", "1", "-F", "0xfffff", "h"});
    CHECK(options.identifier == 65535);
    CHECK(options.preload == 3u);
    CHECK(options.mark == 4294967295u);
    CHECK(options.pmtu == uping::PmtuDiscovery::probe);
    CHECK(options.tos == 16);
    CHECK(options.sndbuf == 1);
    CHECK(options.flow_label == 0xfffffu);
    CHECK(parse_ok({"ping", "-Q", "255", "h"}).tos == 255);
    CHECK(parse_ok({"ping", "-T", "tsandaddr", "h"}).timestamp_option == uping::TimestampOption::tsandaddr);
    CHECK(parse_ok({"ping", "-M", "do", "h"}).pmtu == uping::PmtuDiscovery::do_);
  }
  SECTION("-l above 3 only for root") {
    const auto result = parse_command_line({"ping", "-l", "65536", "h"}, true);
    REQUIRE(result.options.has_value());
    CHECK(result.options->preload == 65536u);
  }
  SECTION("-f: interval 0 unless -i is given") {
    CHECK(uping::effective_interval_ms(parse_ok({"ping", "-f", "h"})) == 0);
    CHECK(uping::effective_interval_ms(parse_ok({"ping", "-f", "-i", "0.2", "h"})) == 200);
    CHECK(uping::effective_interval_ms(parse_ok({"ping", "h"})) == 1000);
    CHECK(uping::user_limit_violation(parse_ok({"ping", "-f", "h"}), false).has_value());
    CHECK_FALSE(uping::user_limit_violation(parse_ok({"ping", "-f", "h"}), true).has_value());
  }
  SECTION("-R / -T reserve 40 bytes of IPv4 options") {
    CHECK(uping::ip_options_size(parse_ok({"ping", "-R", "h"})) == 40);
    CHECK(uping::ip_options_size(parse_ok({"ping", "h"})) == 0);
    const auto result = parse_command_line({"ping", "-R", "-s", "65468", "127.0.0.1"});
    CHECK(result.exit_code == kExitNoReply);
    CHECK(result.err == "ping: invalid -s value: '65468': out of range: 0 <= value <= 65467\n");
    CHECK(parse_ok({"ping", "-R", "-s", "65467", "127.0.0.1"}).payload_size == 65467);
  }
}

TEST_CASE("option p prints its PATTERN line while parsing, as iputils", "[options]") {
  struct Case {
    Args args;
    std::vector<std::uint8_t> pattern;
    std::string out;
  };
  const std::vector<Case> cases = {
      {{"ping", "-p", "ff", "h"}, {0xff}, "PATTERN: 0xff\n"},
      {{"ping", "-p", "abc", "h"}, {0xab, 0x0c}, "PATTERN: 0xab0c\n"},
      {{"ping", "-p", "", "h"}, {}, "PATTERN: 0x\n"},
      {{"ping", "-p", "00112233445566778899aabbccddeeff0011", "h"},
       {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
       "PATTERN: 0x00112233445566778899aabbccddeeff\n"},
      {{"ping", "-q", "-p", "ff", "h"}, {0xff}, ""},                 // -q before -p silences it
      {{"ping", "-p", "ff", "-q", "h"}, {0xff}, "PATTERN: 0xff\n"},  // ... after it does not
  };
  for (const auto& c : cases) {
    INFO(joined(c.args));
    const auto result = parse_command_line(c.args);
    REQUIRE(result.options.has_value());
    CHECK(result.options->pattern_given);
    CHECK(result.options->pattern == c.pattern);
    CHECK(result.out == c.out);
  }
  SECTION("the line stays on stdout when a later option fails") {
    const auto result = parse_command_line({"ping", "-p", "01", "-c", "0", "h"});
    CHECK(result.out == "PATTERN: 0x01\n");
    CHECK(result.exit_code == kExitNoReply);
  }
}

TEST_CASE("errors of the other options: exact message and exit code", "[options]") {
  struct Case {
    Args args;
    int exit_code;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"ping", "-e", "65536", "h"},
       kExitNoReply,
       "ping: invalid argument: '65536': out of range: 0 <= value <= 65535\n"},
      {{"ping", "-e", "abc", "h"}, kExitNoReply, "ping: invalid argument: 'abc'\n"},
      {{"ping", "-l", "0", "h"}, kExitNoReply, "ping: invalid argument: '0': out of range: 1 <= value <= 65536\n"},
      {{"ping", "-l", "4", "h"}, kExitError, "ping: cannot set preload to value greater than 3: 4\n"},
      {{"ping", "-m", "-1", "h"},
       kExitNoReply,
       "ping: invalid argument: '-1': out of range: 0 <= value <= 4294967295\n"},
      {{"ping", "-S", "0", "h"}, kExitNoReply, "ping: invalid argument: '0': out of range: 1 <= value <= 2147483647\n"},
      {{"ping", "-M", "foo", "h"}, kExitError, "ping: invalid -M argument: foo\n"},
      {{"ping", "-Q", "300", "h"}, kExitError, "ping: the decimal value of TOS bits must be in range 0-255: 300\n"},
      {{"ping", "-Q", "0x1g", "h"}, kExitError, "ping: bad TOS value: 0x1g\n"},
      {{"ping", "-F", "0x100000", "h"}, kExitError, "ping: flow value is greater than 20 bits: 0x100000\n"},
      {{"ping", "-F", "zz", "h"}, kExitError, "ping: bad value for flowinfo: zz\n"},
      {{"ping", "-T", "foo", "h"}, kExitError, "ping: invalid timestamp type: foo\n"},
      {{"ping", "-R", "-T", "tsonly", "h"}, kExitError, "ping: only one of -T or -R may be used\n"},
      {{"ping", "-T", "tsonly", "-R", "h"}, kExitError, "ping: only one of -T or -R may be used\n"},
      {{"ping", "-p", "1x2", "h"}, kExitError, "ping: patterns must be specified as hex digits: x2\n"},
      {{"ping", "-N", "name", "::1"},
       kExitError,
       "ping: -N name: node information queries need a raw ICMPv6 socket; uping sends echo requests only\n"},
  };
  for (const auto& c : cases) {
    INFO("args: " << joined(c.args));
    const ParseResult result = parse_command_line(c.args);
    CHECK_FALSE(result.options.has_value());
    CHECK(result.exit_code == c.exit_code);
    CHECK(result.err == c.err);
  }
  SECTION("-N help and unknown -N arguments print iputils' list of queries") {
    const auto help = parse_command_line({"ping", "-N", "help", "::1"});
    CHECK(help.exit_code == kExitOk);
    CHECK_FALSE(help.options.has_value());
    CHECK(help.err.empty());
    CHECK(help.out.rfind("ping -6 -N <nodeinfo opt>\nHelp:\n  help\nQuery:\n  name\n", 0) == 0);
    CHECK(help.out.find("  subject-fqdn=name\n") != std::string::npos);
    const auto unknown = parse_command_line({"/bin/uping", "-N", "foo", "::1"});
    CHECK(unknown.exit_code == kExitError);
    CHECK(unknown.out.empty());
    CHECK(unknown.err == help.out);
  }
}

TEST_CASE("option -T tsprespec takes up to four hop addresses before the target, as iputils", "[options]") {
  const auto options = parse_ok({"ping", "-T", "tsprespec", "127.0.0.2", "127.0.0.3", "127.0.0.1"});
  CHECK(options.target == "127.0.0.1");
  CHECK(options.timestamp_hops == std::vector<std::string>{"127.0.0.2", "127.0.0.3"});
  CHECK(parse_ok({"ping", "-T", "tsprespec", "a", "b", "c", "d", "h"}).timestamp_hops.size() == 4);
  CHECK(parse_ok({"ping", "-T", "tsprespec", "h"}).timestamp_hops.empty());
  // Five hops, hops with another -T flavour or with -R, or without -T: iputils' usage text.
  for (const Args& args : {Args{"ping", "-T", "tsprespec", "a", "b", "c", "d", "e", "h"},
                           Args{"ping", "-T", "tsonly", "a", "h"}, Args{"ping", "-R", "a", "h"}}) {
    INFO("args: " << joined(args));
    const ParseResult result = parse_command_line(args);
    CHECK_FALSE(result.options.has_value());
    CHECK(result.exit_code == kExitError);
    CHECK(result.err == usage_text("ping"));
  }
  // Hops are the single-target mode's: the sweep dispatcher leaves them alone.
  CHECK(uping::timestamp_hops_requested({"ping", "-c1", "-T", "tsprespec", "127.0.0.2", "127.0.0.1"}));
  CHECK(uping::timestamp_hops_requested({"ping", "-Ttsprespec", "127.0.0.2", "127.0.0.1"}));
  CHECK_FALSE(uping::timestamp_hops_requested({"ping", "-T", "tsprespec", "127.0.0.1"}));
  CHECK_FALSE(uping::timestamp_hops_requested({"ping", "-T", "tsonly", "127.0.0.2", "127.0.0.1"}));
  CHECK_FALSE(uping::timestamp_hops_requested({"ping", "127.0.0.2", "127.0.0.1"}));
  CHECK_FALSE(uping::timestamp_hops_requested({"ping", "-T", "tsprespec", "-T", "tsonly", "a", "h"}));  // last -T wins
}
