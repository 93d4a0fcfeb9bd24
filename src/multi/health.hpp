#pragma once
// Health-probe mode (`uping --health`): a verdict per target inside one short deadline, for
// Docker HEALTHCHECK and Kubernetes exec probes. Exit 0 healthy, 1 unhealthy — never 2, which
// Docker reserves — misconfiguration included.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uping/icmp.hpp"
#include "uping/stats.hpp"

namespace uping::health {

inline constexpr int kHealthy = 0;
inline constexpr int kUnhealthy = 1;

struct HealthOptions {
  std::string program_name = "uping";
  std::vector<std::string> targets;
  std::chrono::microseconds deadline{800'000};  // -w: the whole check, start to verdict
  std::chrono::microseconds interval{100'000};  // -i: between probes to a target not yet healthy
  std::optional<Micros> max_rtt;                // --max-rtt: slower replies do not count
  std::uint32_t min_replies = 1;                // --min-replies
  std::optional<icmp::Family> family;           // -4 / -6
  std::size_t payload_size = 56;                // -s
  std::optional<int> ttl;                       // -t
  bool quiet = false;                           // -q: exit code only
  bool numeric = false;                         // -n: accepted; error sources are always numeric
};

struct HealthParse {
  std::optional<HealthOptions> options;
  std::string out;  // --help
  std::string err;  // the misconfiguration, one line
  int exit_code = kHealthy;
};

// True when the command line asks for health mode (`--health` anywhere before `--`).
bool requested(const std::vector<std::string>& args);
HealthParse parse_command_line(const std::vector<std::string>& args);

// What became of one target; the verdict and its line are pure functions of it.
struct TargetOutcome {
  std::string name;                        // as given on the command line
  std::uint32_t replies = 0;               // replies within --max-rtt
  std::uint32_t slow_replies = 0;          // replies over --max-rtt
  Micros rtt_sum = 0;                      // of the replies that count
  Micros slowest = 0;                      // of the slow ones
  std::optional<std::string> unreachable;  // "Destination Host Unreachable from 198.51.100.1"
  std::optional<std::string> failure;      // resolution or socket failure
};

enum class Verdict : std::uint8_t { pending, healthy, unhealthy };

Verdict judge(const TargetOutcome& outcome, const HealthOptions& options, bool deadline_passed);

// "<target>: healthy, rtt 0.052 ms", "<target>: unhealthy, no reply in 800 ms", ...
std::string verdict_line(const TargetOutcome& outcome, const HealthOptions& options);

// Docker keeps only the first 4096 bytes of a check's output: the whole report stays within
// this many bytes. Target names are shortened to kMaxNameLength bytes in the lines.
inline constexpr std::size_t kOutputBudget = 3072;
inline constexpr std::size_t kMaxNameLength = 160;

// The name of a target as it appears in its line: control characters replaced, at most
// kMaxNameLength bytes ("..." marks a cut).
std::string display_name(std::string_view target);

// Every target's line in command-line order when they fit in kOutputBudget; otherwise the
// unhealthy targets' lines first, as many as fit, then one line counting the targets left out
// ("... 900 targets not listed: 890 healthy, 10 unhealthy").
std::string verdict_report(const std::vector<TargetOutcome>& outcomes, const HealthOptions& options);

// Runs the check; returns kHealthy or kUnhealthy.
int run(const HealthOptions& options);

}  // namespace uping::health
