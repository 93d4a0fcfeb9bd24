// Harness for the command-line parser. Input layout: the first byte picks argv[0] (see
// kInvocations; '0'..'7' select them in order, which keeps corpus files readable), the rest is
// split on NUL bytes into the remaining arguments, as the kernel would hand them to main.
// Invariants are those main relies on: a known exit code, a message for every failure, an
// option set within iputils' ranges, and no exception escaping. The same arguments go through
// fping's parser too (argv[0] "fping" or "fping6"), with fping's invariants.

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fping/generate.hpp"
#include "fping/options.hpp"
#include "fuzz_target.hpp"
#include "ping/options.hpp"

namespace {

using uping::icmp::Family;

// nullopt: no argv at all (execve with an empty argv is legal).
constexpr std::optional<std::string_view> kInvocations[] = {
    "ping", "ping6", "uping", "ping4", "/usr/bin/ping6", "./uping4", "", std::nullopt,
};
constexpr std::size_t kInvocationCount = sizeof kInvocations / sizeof kInvocations[0];

std::vector<std::string> split_into_arguments(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args;
  if (size == 0) return {"ping"};
  const auto& invocation = kInvocations[data[0] % kInvocationCount];
  if (!invocation) return args;
  args.emplace_back(*invocation);
  if (size == 1) return args;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t start = 0;
  while (true) {
    const std::size_t end = rest.find('\0', start);
    args.emplace_back(rest.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return args;
}

bool is_ipv4_literal(const std::string& text) {
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

void check_options(const uping::ParseResult& result) {
  const uping::Options& options = *result.options;
  UPING_FUZZ_CHECK(result.exit_code == uping::kExitOk);
  // A run may only have iputils' PATTERN line to print before it starts (-p without -q).
  UPING_FUZZ_CHECK(result.out.empty() || result.out.rfind("PATTERN: 0x", 0) == 0);
  UPING_FUZZ_CHECK(options.payload_size <= uping::max_payload_size(Family::v6));
  if (is_ipv4_literal(options.target)) {
    UPING_FUZZ_CHECK(options.payload_size <= uping::max_payload_size(Family::v4));
  }
  UPING_FUZZ_CHECK(!options.count || *options.count >= 1);
  UPING_FUZZ_CHECK(!options.deadline_seconds || *options.deadline_seconds >= 1);
  UPING_FUZZ_CHECK(!options.ttl || (*options.ttl >= 0 && *options.ttl <= 255));
  // The engine turns these into timers: they must be finite and not negative.
  UPING_FUZZ_CHECK(std::isfinite(options.interval_seconds) && options.interval_seconds >= 0.0);
  UPING_FUZZ_CHECK(std::isfinite(options.linger_seconds) && options.linger_seconds >= 0.0);
  UPING_FUZZ_CHECK(!uping::user_limit_violation(options, true));
  if (const auto violation = uping::user_limit_violation(options, false)) {
    UPING_FUZZ_CHECK(!violation->empty());
  }
}

void check_refusal(const uping::ParseResult& result) {
  const int code = result.exit_code;
  UPING_FUZZ_CHECK(code == uping::kExitOk || code == uping::kExitNoReply || code == uping::kExitError);
  // A failure must say why; a success without options (-V) must print something.
  if (code != uping::kExitOk) UPING_FUZZ_CHECK(!result.err.empty());
  if (code == uping::kExitOk) UPING_FUZZ_CHECK(!result.out.empty());
}

// fping's parser: exit 0 with options or with -h / -v's text, else exit 1 with a message; the
// engine's timers need times that are not negative.
void check_fping(const std::vector<std::string>& args, std::string_view program) {
  std::vector<std::string> fping_args = args;
  if (fping_args.empty()) fping_args.emplace_back();
  fping_args.front() = std::string(program);
  const uping::fping::FpingParseResult result = uping::fping::parse_fping_command_line(fping_args);
  if (result.options) {
    const uping::fping::FpingOptions& options = *result.options;
    UPING_FUZZ_CHECK(result.exit_code == uping::fping::kExitAllAlive);
    UPING_FUZZ_CHECK(options.count >= 1);
    UPING_FUZZ_CHECK(options.timeout_ns >= 0 && options.interval_ns >= 0 && options.period_ns >= 0);
    UPING_FUZZ_CHECK(options.report_interval_ns >= 0 && options.seqmap_timeout_ns >= 0);
    UPING_FUZZ_CHECK(options.payload_size <= 65507);
    UPING_FUZZ_CHECK(!(options.count_mode && options.loop));
    UPING_FUZZ_CHECK(options.targets.size() <= uping::fping::kMaxGenerate ||
                     options.target_source != uping::fping::TargetSource::generated);
  } else if (result.exit_code == uping::fping::kExitAllAlive) {
    UPING_FUZZ_CHECK(!result.out.empty());
  } else {
    UPING_FUZZ_CHECK(result.exit_code == uping::fping::kExitSomeUnreachable);
    // fping's one silent failure: -g START END with END before START leaves no target (exit 1).
    const bool may_generate = std::any_of(fping_args.begin() + 1, fping_args.end(), [](const std::string& arg) {
      return arg.rfind("--generate", 0) == 0 || (arg.size() > 1 && arg[0] == '-' && arg.find('g') != std::string::npos);
    });
    UPING_FUZZ_CHECK(!result.err.empty() || may_generate);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = split_into_arguments(data, size);
  try {
    const uping::ParseResult result = uping::parse_command_line(args);
    if (result.options) {
      check_options(result);
    } else {
      check_refusal(result);
    }
    const std::string usage = uping::usage_text(args.empty() ? "" : args.front());
    UPING_FUZZ_CHECK(!usage.empty());
    check_fping(args, size > 0 && (data[0] & 1U) ? "fping6" : "fping");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "exception: %s\n", error.what());
    uping::fuzz::invariant_failed("no exception escapes", __FILE__, __LINE__);
  } catch (...) {
    uping::fuzz::invariant_failed("no exception escapes (not a std::exception)", __FILE__, __LINE__);
  }
  return 0;
}
