// The command line of health mode. Separate from the iputils-compatible parser: health mode has
// its own options and its own exit-code rule (1 for any misconfiguration, never 2).
#include <algorithm>
#include <cmath>

#include "cli/cli_parse.hpp"
#include "cli/invocation.hpp"
#include "multi/health.hpp"

namespace uping::health {
namespace {

// A number within [min, max], read in the C locale.
std::optional<double> parse_decimal(const std::string& text, double min, double max) {
  const auto value = cli::parse_c_number(text);
  if (!value || *value < min || *value > max) return std::nullopt;
  return value;
}

std::string help_text(const std::string& program) {
  return "Usage: " + program +
         " --health [options] <target>...\n"
         "Health probe for Docker HEALTHCHECK and Kubernetes exec probes: exit 0 when every target\n"
         "is healthy, 1 otherwise (never 2). One line per target; -q prints nothing.\n\n"
         "Options:\n"
         "  -w <seconds>          deadline for the whole check (default 0.8)\n"
         "  -i <seconds>          interval between probes to a target (default 0.1)\n"
         "  --max-rtt <ms>        replies slower than this do not count\n"
         "  --min-replies <n>     replies needed per target (default 1)\n"
         "  -4, -6                IPv4 or IPv6 only\n"
         "  -s <size>             payload bytes (default 56)\n"
         "  -t <ttl>              time to live / hop limit\n"
         "  -n                    numeric output (always: no reverse lookups)\n"
         "  -q                    quiet: exit code only\n";
}

}  // namespace

bool requested(const std::vector<std::string>& args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") return false;
    if (args[i] == "--health") return true;
  }
  return false;
}

HealthParse parse_command_line(const std::vector<std::string>& args) {
  HealthOptions options;
  if (!args.empty() && !args[0].empty()) options.program_name = args[0];
  HealthParse result;
  const auto misconfigured = [&](const std::string& message) {
    result.options.reset();
    result.err = options.program_name + ": --health: " + message + "\n";
    result.exit_code = kUnhealthy;
    return result;
  };

  CLI::App app;
  app.set_help_flag();
  bool health = false;
  bool help = false;
  bool v4 = false;
  bool v6 = false;
  std::string deadline;
  std::string interval;
  std::string max_rtt;
  std::string min_replies;
  std::string size;
  std::string ttl;
  app.add_flag("--health", health);
  app.add_flag("-h,--help", help);
  app.add_flag("-4", v4);
  app.add_flag("-6", v6);
  app.add_flag("-q", options.quiet);
  app.add_flag("-n", options.numeric);
  // Whether an option was given is CLI11's count, never the text: an empty value (`-w "$UNSET"`)
  // is a bad value, not a missing option.
  const CLI::Option* deadline_given = app.add_option("-w,--deadline", deadline);
  const CLI::Option* interval_given = app.add_option("-i,--interval", interval);
  const CLI::Option* max_rtt_given = app.add_option("--max-rtt", max_rtt);
  const CLI::Option* min_replies_given = app.add_option("--min-replies", min_replies);
  const CLI::Option* size_given = app.add_option("-s", size);
  const CLI::Option* ttl_given = app.add_option("-t", ttl);
  app.add_option("targets", options.targets);
  // CLI11's message is clear enough, but its exit codes are not ours.
  if (const auto error = cli::parse_arguments(app, args)) return misconfigured(*error);
  if (help) {
    result.out = help_text(options.program_name);
    result.exit_code = kHealthy;
    return result;
  }
  // ping4 / ping6 count as -4 / -6, as for a ping.
  const FamilyChoice family = choose_family(v4, v6, options.program_name);
  if (family.conflict) return misconfigured("only one of -4 and -6 may be given");
  options.family = family.family;
  if (deadline_given->count() > 0) {
    const auto seconds = parse_decimal(deadline, 0.001, 3600);
    if (!seconds) return misconfigured("invalid deadline '" + deadline + "': seconds, 0.001 to 3600");
    options.deadline = to_micros(*seconds);
  }
  if (interval_given->count() > 0) {
    const auto seconds = parse_decimal(interval, 0.002, 3600);
    if (!seconds) return misconfigured("invalid interval '" + interval + "': seconds, 0.002 to 3600");
    options.interval = to_micros(*seconds);
  }
  if (max_rtt_given->count() > 0) {
    const auto ms = parse_decimal(max_rtt, 0.001, 3600000);
    if (!ms) return misconfigured("invalid --max-rtt '" + max_rtt + "': milliseconds, more than 0");
    options.max_rtt = to_micros(*ms, 1e3).count();
  }
  if (min_replies_given->count() > 0) {
    const auto count = parse_decimal(min_replies, 1, 1000);
    if (!count || std::floor(*count) != *count)
      return misconfigured("invalid --min-replies '" + min_replies + "': a whole number, 1 to 1000");
    options.min_replies = static_cast<std::uint32_t>(*count);
  }
  if (size_given->count() > 0) {
    const auto bytes = parse_decimal(size, 0, 65507);
    if (!bytes || std::floor(*bytes) != *bytes)
      return misconfigured("invalid -s '" + size + "': a whole number, 0 to 65507");
    options.payload_size = static_cast<std::size_t>(*bytes);
  }
  if (ttl_given->count() > 0) {
    const auto hops = parse_decimal(ttl, 1, 255);
    if (!hops || std::floor(*hops) != *hops) return misconfigured("invalid -t '" + ttl + "': a whole number, 1 to 255");
    options.ttl = static_cast<int>(*hops);
  }
  if (options.targets.empty()) return misconfigured("no target given");
  if (options.targets.size() > 1024) return misconfigured("at most 1024 targets");
  result.options = std::move(options);
  return result;
}

}  // namespace uping::health
