// Health mode: the command line (exit 1 for every misconfiguration, never 2), verdicts, lines.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "multi/health.hpp"

using namespace uping::health;

namespace {

HealthParse parse(std::vector<std::string> args) {
  args.insert(args.begin(), "uping");
  return parse_command_line(args);
}

}  // namespace

TEST_CASE("health mode is requested by --health anywhere before --", "[health]") {
  CHECK(requested({"uping", "--health", "127.0.0.1"}));
  CHECK(requested({"uping", "127.0.0.1", "--health"}));
  CHECK_FALSE(requested({"uping", "127.0.0.1"}));
  CHECK_FALSE(requested({"uping", "--", "--health"}));
  CHECK_FALSE(requested({"--health"}));  // argv[0] is the program, not an option
}

TEST_CASE("health options and their defaults", "[health]") {
  const auto defaults = parse({"--health", "127.0.0.1", "::1"});
  REQUIRE(defaults.options);
  CHECK(defaults.options->targets == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(defaults.options->deadline == std::chrono::microseconds(800'000));
  CHECK(defaults.options->interval == std::chrono::microseconds(100'000));
  CHECK(defaults.options->min_replies == 1);
  CHECK_FALSE(defaults.options->max_rtt);
  CHECK(defaults.err.empty());

  const auto tuned = parse({"--health", "-w", "0.25", "-i", "0.01", "--max-rtt", "2.5", "--min-replies", "3", "-6",
                            "-q", "-s", "16", "-t", "9", "h"});
  REQUIRE(tuned.options);
  CHECK(tuned.options->deadline == std::chrono::microseconds(250'000));
  CHECK(tuned.options->interval == std::chrono::microseconds(10'000));
  CHECK(tuned.options->max_rtt == 2500);
  CHECK(tuned.options->min_replies == 3);
  CHECK(tuned.options->family == uping::icmp::Family::v6);
  CHECK(tuned.options->quiet);
  CHECK(tuned.options->payload_size == 16);
  CHECK(tuned.options->ttl == 9);
}

TEST_CASE("every health misconfiguration exits 1 with one line", "[health]") {
  const std::vector<std::vector<std::string>> bad = {
      {"--health"},
      {"--health", "-w", "0", "h"},
      {"--health", "-w", "abc", "h"},
      {"--health", "-w", "1e9", "h"},
      {"--health", "-i", "0.001", "h"},
      {"--health", "--max-rtt", "-1", "h"},
      {"--health", "--min-replies", "1.5", "h"},
      {"--health", "--min-replies", "0", "h"},
      {"--health", "-s", "70000", "h"},
      {"--health", "-t", "0", "h"},
      {"--health", "-4", "-6", "h"},
      {"--health", "--bogus", "h"},
      {"--health", "-w"},
  };
  for (const auto& args : bad) {
    const auto result = parse(args);
    INFO(args.back());
    CHECK_FALSE(result.options);
    CHECK(result.exit_code == kUnhealthy);
    CHECK_THAT(result.err, Catch::StartsWith("uping: --health: "));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
}

TEST_CASE("an empty health value is a bad value and not a missing option", "[health]") {
  // `--max-rtt "$UNSET"` must not pass every reply.
  for (const std::string option : {"-w", "-i", "--max-rtt", "--min-replies", "-s", "-t"}) {
    for (const bool joined : {false, true}) {
      std::vector<std::string> args = {"--health"};
      if (joined && option.starts_with("--")) {
        args.push_back(option + "=");
      } else {
        args.push_back(option);
        args.push_back("");
      }
      args.push_back("h");
      const auto result = parse(args);
      INFO(option << (joined ? "=" : " ''") << " gave: " << result.err);
      CHECK_FALSE(result.options);
      CHECK(result.exit_code == kUnhealthy);
      CHECK_THAT(result.err, Catch::StartsWith("uping: --health: invalid "));
      CHECK_THAT(result.err, Catch::Contains("''"));
      CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
  }
}

TEST_CASE("ping4 / ping6 imply -4 / -6 in health mode", "[health]") {
  const auto as_ping6 = parse_command_line({"/usr/bin/ping6", "--health", "127.0.0.1"});
  REQUIRE(as_ping6.options);
  CHECK(as_ping6.options->family == uping::icmp::Family::v6);
  const auto as_uping4 = parse_command_line({"uping4", "--health", "-4", "::1"});
  REQUIRE(as_uping4.options);
  CHECK(as_uping4.options->family == uping::icmp::Family::v4);
  const auto plain = parse_command_line({"uping", "--health", "::1"});
  REQUIRE(plain.options);
  CHECK_FALSE(plain.options->family);
  const auto conflict = parse_command_line({"ping4", "--health", "-6", "::1"});
  CHECK_FALSE(conflict.options);
  CHECK(conflict.exit_code == kUnhealthy);
  CHECK(conflict.err == "ping4: --health: only one of -4 and -6 may be given\n");
}

TEST_CASE("help goes to stdout and exits 0", "[health]") {
  const auto result = parse({"--health", "--help"});
  CHECK_FALSE(result.options);
  CHECK(result.exit_code == kHealthy);
  CHECK_THAT(result.out, Catch::Contains("--min-replies"));
}

TEST_CASE("verdicts and their lines", "[health]") {
  HealthOptions options;
  TargetOutcome outcome;
  outcome.name = "127.0.0.1";

  CHECK(judge(outcome, options, false) == Verdict::pending);
  CHECK(judge(outcome, options, true) == Verdict::unhealthy);
  CHECK(verdict_line(outcome, options) == "127.0.0.1: unhealthy, no reply in 800 ms\n");

  outcome.replies = 1;
  outcome.rtt_sum = 52;
  CHECK(judge(outcome, options, false) == Verdict::healthy);
  CHECK(verdict_line(outcome, options) == "127.0.0.1: healthy, rtt 0.052 ms\n");

  options.min_replies = 3;
  CHECK(judge(outcome, options, false) == Verdict::pending);
  options.deadline = std::chrono::microseconds(250'500);
  CHECK(verdict_line(outcome, options) == "127.0.0.1: unhealthy, 1 of 3 replies in 250.5 ms\n");
  outcome.replies = 3;
  outcome.rtt_sum = 3 * 1234;
  CHECK(verdict_line(outcome, options) == "127.0.0.1: healthy, 3 replies, rtt 1.234 ms\n");

  TargetOutcome slow;
  slow.name = "h";
  slow.slow_replies = 2;
  slow.slowest = 12'345;
  HealthOptions strict;
  strict.max_rtt = 10'000;
  CHECK(judge(slow, strict, true) == Verdict::unhealthy);
  CHECK(verdict_line(slow, strict) == "h: unhealthy, rtt 12.345 ms over --max-rtt 10.000 ms\n");

  TargetOutcome unreachable;
  unreachable.name = "203.0.113.5";
  unreachable.unreachable = "Destination Host Unreachable from 198.51.100.1";
  CHECK(judge(unreachable, strict, false) == Verdict::unhealthy);  // known at once
  CHECK(verdict_line(unreachable, strict) ==
        "203.0.113.5: unhealthy, unreachable (Destination Host Unreachable from 198.51.100.1)\n");

  TargetOutcome unresolved;
  unresolved.name = "x.invalid";
  unresolved.failure = "cannot resolve (Name or service not known)";
  CHECK(judge(unresolved, strict, false) == Verdict::unhealthy);
  CHECK(verdict_line(unresolved, strict) == "x.invalid: unhealthy, cannot resolve (Name or service not known)\n");
}

TEST_CASE("target names in verdict lines are printable and bounded", "[health]") {
  CHECK(display_name("127.0.0.1") == "127.0.0.1");
  CHECK(display_name("a\nb\x1b") == "a?b?");
  const std::string longest(kMaxNameLength, 'x');
  CHECK(display_name(longest) == longest);
  const std::string shown = display_name(std::string(100'000, 'y'));
  CHECK(shown.size() == kMaxNameLength);
  CHECK_THAT(shown, Catch::EndsWith("yyy..."));
}

TEST_CASE("the health report stays within Docker's 4096-byte log", "[health]") {
  HealthOptions options;
  std::vector<TargetOutcome> few(3);
  for (std::size_t i = 0; i < few.size(); ++i) {
    few[i].name = "198.51.100." + std::to_string(i + 1);
    few[i].replies = i == 1 ? 0 : 1;
    few[i].rtt_sum = 52;
  }
  CHECK(verdict_report(few, options) ==
        "198.51.100.1: healthy, rtt 0.052 ms\n198.51.100.2: unhealthy, no reply in 800 ms\n"
        "198.51.100.3: healthy, rtt 0.052 ms\n");

  // 1024 targets (the most the command line takes) with the longest names: every 7th unhealthy.
  std::vector<TargetOutcome> many(1024);
  std::size_t unhealthy = 0;
  for (std::size_t i = 0; i < many.size(); ++i) {
    many[i].name = display_name(std::to_string(i) + "." + std::string(200, 'n'));
    if (i % 7 == 0) {
      many[i].unreachable = "Destination Host Unreachable from 203.0.113.254";
      ++unhealthy;
    } else {
      many[i].replies = 1;
    }
  }
  const std::string report = verdict_report(many, options);
  CHECK(report.size() <= kOutputBudget);
  CHECK(report.size() < 4096);
  const auto lines = static_cast<std::size_t>(std::count(report.begin(), report.end(), '\n'));
  REQUIRE(lines >= 2);
  // Only unhealthy targets are listed, the first ones first, then the count of the rest.
  CHECK_THAT(report, Catch::StartsWith("0.nnn"));
  CHECK_THAT(report, !Catch::Contains(": healthy"));
  const std::size_t listed = lines - 1;
  CHECK_THAT(report, Catch::EndsWith(fmt::format("... {} targets not listed: {} healthy, {} unhealthy\n",
                                                 many.size() - listed, many.size() - unhealthy, unhealthy - listed)));
}
