// The command line of sweep mode (CLI11 stays in this file and in cli_parse).
#include "multi/sweep_options.hpp"

#include <array>
#include <string_view>
#include <type_traits>
#include <variant>

#include "cli/cli_parse.hpp"
#include "cli/invocation.hpp"
#include "uping/stats.hpp"

namespace uping::sweep {
namespace {

// iputils' letters (as src/options.cpp parses them), for the scan that decides the mode.
constexpr std::string_view kIputilsFlagLetters = "346aAbBCdDfHLnOqrRUvVh";
constexpr std::string_view kIputilsValueLetters = "ceFiIlmMNpQsStTwW";
// Letters iputils leaves free that only sweeps use; each takes a value.
constexpr std::string_view kSweepValueLetters = "gxX";
constexpr std::array<std::string_view, 7> kSweepLongOptions = {"--generate",    "--file",      "--json", "--alive",
                                                               "--unreachable", "--reachable", "--rate"};
constexpr std::array<std::string_view, 4> kLongOptionsWithValue = {"--generate", "--file", "--reachable", "--rate"};

template <std::size_t N>
bool is_one_of(std::string_view word, const std::array<std::string_view, N>& list) {
  for (const auto candidate : list) {
    if (word == candidate) return true;
  }
  return false;
}

std::chrono::microseconds seconds(double value) { return to_micros(value); }

}  // namespace

bool requested(const std::vector<std::string>& args) {
  std::size_t operands = 0;
  for (std::size_t index = 1; index < args.size(); ++index) {
    const std::string& arg = args[index];
    if (arg == "--") {
      operands += args.size() - index - 1;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      ++operands;
      continue;
    }
    if (arg[1] == '-') {
      const std::string_view name = std::string_view(arg).substr(0, arg.find('='));
      if (is_one_of(name, kSweepLongOptions)) return true;
      if (is_one_of(name, kLongOptionsWithValue) && arg.find('=') == std::string::npos) ++index;
      continue;
    }
    for (std::size_t pos = 1; pos < arg.size(); ++pos) {
      const char letter = arg[pos];
      if (kSweepValueLetters.find(letter) != std::string_view::npos) return true;
      if (kIputilsFlagLetters.find(letter) != std::string_view::npos) continue;
      // An unknown letter: the iputils parser says what is wrong with it.
      if (kIputilsValueLetters.find(letter) == std::string_view::npos) return false;
      if (pos + 1 == arg.size()) ++index;  // the value is the next argument
      break;
    }
  }
  return operands > 1;
}

SweepParse parse_command_line(const std::vector<std::string>& args) {
  SweepOptions options;
  if (!args.empty() && !args[0].empty()) options.program_name = args[0];
  SweepParse result;
  const auto failed = [&](const std::string& message) {
    result.options.reset();
    result.err = options.program_name + ": " + message + "\n";
    result.exit_code = kError;
    return result;
  };

  CLI::App app;
  app.set_help_flag();
  bool help = false, v4 = false, v6 = false, json = false, alive = false, unreachable = false;
  std::vector<std::string> generate;
  std::string file, count, interval, timeout, deadline, rate, size, ttl, reachable, stop_reachable;
  app.add_flag("-h,--help", help);
  app.add_flag("-4", v4);
  app.add_flag("-6", v6);
  app.add_flag("-q", options.quiet);
  bool numeric = false;  // sweeps never look names up in reverse; -n is accepted for habit's sake
  app.add_flag("-n", numeric);
  app.add_flag("--json", json);
  app.add_flag("--alive", alive);
  app.add_flag("--unreachable", unreachable);
  // One range per -g: without allow_extra_args(false) CLI11 would swallow the targets after it.
  app.add_option("-g,--generate", generate)->type_size(1)->allow_extra_args(false)->take_all();
  // Whether an option was given is CLI11's count, never the text: an empty value (`-x "$UNSET"`)
  // is a bad value, not a missing option.
  const CLI::Option* file_given = app.add_option("--file", file);
  const CLI::Option* count_given = app.add_option("-c", count);
  const CLI::Option* interval_given = app.add_option("-i", interval);
  const CLI::Option* timeout_given = app.add_option("-W", timeout);
  const CLI::Option* deadline_given = app.add_option("-w", deadline);
  const CLI::Option* rate_given = app.add_option("--rate", rate);
  const CLI::Option* size_given = app.add_option("-s", size);
  const CLI::Option* ttl_given = app.add_option("-t", ttl);
  const CLI::Option* reachable_given = app.add_option("-x,--reachable", reachable);
  const CLI::Option* stop_reachable_given = app.add_option("-X", stop_reachable);
  app.add_option("targets", options.targets);
  // CLI11's words are clear enough; its exit codes are not ours.
  if (const auto error = cli::parse_arguments(app, args)) {
    return failed(*error + " (see " + options.program_name + " --help)");
  }
  if (help) {
    result.out = help_text(options.program_name);
    return result;
  }

  // ping4 / ping6 count as -4 / -6, as for a ping.
  const auto implied = family_implied_by_name(options.program_name);
  if (implied == icmp::Family::v4) v4 = true;
  if (implied == icmp::Family::v6) v6 = true;
  if (v4 && v6) return failed("only one -4 or -6 option may be specified");
  if (v4) options.family = icmp::Family::v4;
  if (v6) options.family = icmp::Family::v6;
  if (int(json) + int(alive) + int(unreachable) > 1)
    return failed("--json, --alive and --unreachable exclude each other");
  if (json) options.format = OutputFormat::json;
  if (alive) options.format = OutputFormat::alive;
  if (unreachable) options.format = OutputFormat::unreachable;

  for (const auto& spec : generate) {
    auto range = targets::parse_range(spec);
    if (auto* error = std::get_if<targets::RangeError>(&range)) return failed("-g " + error->message);
    const auto& parsed = std::get<targets::AddressRange>(range);
    if (options.family && parsed.first.family != *options.family) {
      return failed("-g " + spec + ": not of the family asked for with -4 / -6");
    }
    options.ranges.push_back(parsed);
  }
  for (const auto& target : options.targets) {
    if (target.find('/') != std::string::npos &&
        std::holds_alternative<targets::AddressRange>(targets::parse_range(target))) {
      return failed(target + ": a range needs -g (-g " + target + ")");
    }
  }
  if (file_given->count() > 0) {
    if (file.empty()) return failed("invalid --file '': a file name, or - for standard input");
    options.file = file;
  }
  if (options.targets.empty() && options.ranges.empty() && !options.file) {
    return failed("no target given (see " + options.program_name + " --help)");
  }

  const auto whole = [&](const CLI::Option* given, const std::string& text, std::string_view option, double min,
                         double max, auto& into) -> std::optional<std::string> {
    if (given->count() == 0) return std::nullopt;
    auto parsed = cli::parse_bounded_whole(text, option, min, max);
    if (auto* message = std::get_if<std::string>(&parsed)) return *message;
    into = static_cast<std::remove_reference_t<decltype(into)>>(std::get<std::uint64_t>(parsed));
    return std::nullopt;
  };
  const auto decimal = [&](const CLI::Option* given, const std::string& text, std::string_view option, double min,
                           double max, std::string_view unit, auto&& apply) -> std::optional<std::string> {
    if (given->count() == 0) return std::nullopt;
    auto parsed = cli::parse_bounded_number(text, option, min, max, unit);
    if (auto* message = std::get_if<std::string>(&parsed)) return *message;
    apply(std::get<double>(parsed));
    return std::nullopt;
  };

  std::uint64_t reachable_count = 0;
  int hops = 0;
  const std::size_t max_size = options.family == icmp::Family::v4 ? kMaxIpv4PayloadSize : kMaxPayloadSize;
  std::optional<std::string> problem;
  if (!problem) problem = whole(count_given, count, "-c", 1, kMaxCount, options.count);
  if (!problem)
    problem = decimal(interval_given, interval, "-i", 0.002, 3600, "seconds, 0.002 to 3600",
                      [&](double v) { options.interval = seconds(v); });
  if (!problem)
    problem = decimal(timeout_given, timeout, "-W", 0.001, 3600, "seconds, 0.001 to 3600",
                      [&](double v) { options.timeout = seconds(v); });
  if (!problem)
    problem = decimal(deadline_given, deadline, "-w", 0.001, 1e6, "seconds, 0.001 to 1000000",
                      [&](double v) { options.deadline = seconds(v); });
  if (!problem)
    problem = decimal(rate_given, rate, "--rate", 0, 1e7, "probes per second, 0 (no limit) or 1 to 10000000",
                      [&](double v) { options.rate = v; });
  if (!problem && options.rate > 0 && options.rate < 1)
    problem = "invalid --rate '" + rate + "': probes per second, 0 (no limit) or 1 to 10000000";
  if (!problem) problem = whole(size_given, size, "-s", 0, static_cast<double>(max_size), options.payload_size);
  if (!problem && ttl_given->count() > 0) {
    problem = whole(ttl_given, ttl, "-t", 1, 255, hops);
    if (!problem) options.ttl = hops;
  }
  if (!problem && reachable_given->count() > 0 && stop_reachable_given->count() > 0)
    problem = "-x and -X exclude each other";
  if (!problem && reachable_given->count() > 0) {
    problem = whole(reachable_given, reachable, "-x", 1, 1e15, reachable_count);
    if (!problem) options.reachable = reachable_count;
  }
  if (!problem && stop_reachable_given->count() > 0) {
    problem = whole(stop_reachable_given, stop_reachable, "-X", 1, 1e15, reachable_count);
    if (!problem) {
      options.reachable = reachable_count;
      options.stop_when_reachable = true;
    }
  }
  if (problem) return failed(*problem);
  result.options = std::move(options);
  return result;
}

std::string help_text(const std::string& program) {
  return "Usage: " + program +
         " [options] <target>... | -g <range> | --file <file>\n"
         "Probes many targets at once (sweep mode: more than one target, or any option below\n"
         "marked *). Exit 0 when every target (or -x/-X N of them) answered, 1 otherwise, 2 on error.\n\n"
         "Targets:\n"
         "  <target>...           host names or IPv4 / IPv6 addresses, mixed\n"
         "* -g, --generate <range>  198.51.100.0/24, 2001:db8::/120 or START-END (repeatable;\n"
         "                        an IPv4 block skips its network and broadcast addresses)\n"
         "* --file <file>         one target per line ('-': standard input; '#' comments); a bad\n"
         "                        line or a read error ends it: the targets before it are probed, exit 2\n"
         "Probing:\n"
         "  -c <count>            probes per target (default 1)\n"
         "  -i <seconds>          between probes to one target (default 1)\n"
         "  -W <seconds>          wait for each reply (default 1)\n"
         "  -w <seconds>          deadline for the whole run, name resolution included\n"
         "* --rate <n>            probes per second, all targets together (default 10000;\n"
         "                        0: as fast as the sockets take them)\n"
         "  -s <size>             payload bytes (default 56; IPv4 targets 65507 at most,\n"
         "                        IPv6 65527)\n"
         "  -t <ttl>              time to live / hop limit\n"
         "  -4, -6                IPv4 or IPv6 targets only\n"
         "Output:\n"
         "  (default)             reply lines and a statistics block per target\n"
         "  -q                    statistics blocks only\n"
         "* --json                one JSON object per line (see uping(8), JSON OUTPUT)\n"
         "* --alive               only the targets that answered, one per line\n"
         "* --unreachable         only the targets that did not answer (or were never\n"
         "                        probed: the run ended first), one per line\n"
         "* -x, --reachable <n>   exit 0 when at least n targets answered\n"
         "* -X <n>                like -x, and stop as soon as n targets answered\n"
         "  -n                    numeric output (sweeps never look names up in reverse)\n";
}

}  // namespace uping::sweep
