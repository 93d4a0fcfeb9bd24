// The command line of `uping --monitor` (CLI11 stays in this file and in cli/cli_parse).
#include "monitor/options.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <type_traits>
#include <variant>

#include "cli/cli_parse.hpp"
#include "cli/invocation.hpp"
#include "uping/stats.hpp"

namespace uping::monitor {
namespace {

// -g ranges and command-line targets together; a /8 is 16 million probes every interval.
constexpr std::uint64_t kMaxTargets = 1'000'000;
// -s: what fits one IPv6 datagram; IPv4 holds 20 bytes less, and without -6 a target may be IPv4.
constexpr std::size_t kMaxPayloadSize = 65527;
constexpr std::size_t kMaxIpv4PayloadSize = 65507;

std::variant<ListenAddress, std::string> parse_listen(const std::string& text) {
  const auto refuse = [&](std::string_view why) { return "invalid --listen '" + text + "': " + std::string(why); };
  std::string host;
  std::string port_text;
  int family = AF_INET;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string::npos) return refuse("no ']' after the IPv6 address");
    host = text.substr(1, close - 1);
    if (close + 1 == text.size() || text[close + 1] != ':') return refuse("a port is needed after ']:'");
    port_text = text.substr(close + 2);
    family = AF_INET6;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return refuse("a port is needed (ADDRESS:PORT, [IPv6]:PORT or :PORT)");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) return refuse("an IPv6 address needs brackets ([::1]:9375)");
  }
  if (port_text.empty()) return refuse("a port is needed after ':'");
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return refuse("the port must be a whole number, 0 to 65535");
  }
  ListenAddress listen;
  listen.port = static_cast<std::uint16_t>(port);
  if (host.empty()) {
    if (family == AF_INET6) return refuse("an empty IPv6 address (for every address, give :PORT)");
    listen.address = "::";  // every IPv4 and IPv6 address
    return listen;
  }
  unsigned char bytes[16];
  if (inet_pton(family, host.c_str(), bytes) != 1) {
    return refuse(family == AF_INET6 ? "not a numeric IPv6 address"
                                     : "not a numeric address (names are refused: [IPv6]:PORT for IPv6)");
  }
  char canonical[INET6_ADDRSTRLEN];
  listen.address = inet_ntop(family, bytes, canonical, sizeof canonical);
  return listen;
}

// --textfile: the file is replaced by rename(2) in its directory, which must be there already.
std::optional<std::string> check_textfile(const std::string& path) {
  if (path.empty()) return "invalid --textfile '': a file name";
  if (path.ends_with('/')) return "invalid --textfile '" + path + "': a file name, not a directory";
  const auto slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct stat status {};
  if (::stat(directory.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) {
    return "--textfile " + path + ": the directory " + directory + " does not exist";
  }
  return std::nullopt;
}

// The /probe limits (the command line has no option for them; docs/monitor.md lists them).
ProbeLimits probe_limits() {
  ProbeLimits limits;
  limits.max_count = 100;
  limits.default_count = 3;
  limits.min_interval = std::chrono::milliseconds(10);
  limits.max_interval = std::chrono::seconds(10);
  limits.default_interval = std::chrono::milliseconds(200);
  limits.min_timeout = std::chrono::milliseconds(1);
  limits.max_timeout = std::chrono::seconds(10);
  limits.default_timeout = std::chrono::seconds(1);
  return limits;
}

// CLI11's message may hold several lines; a refusal is one.
std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace

bool requested(const std::vector<std::string>& args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") return false;
    if (args[i] == "--monitor") return true;
  }
  return false;
}

MonitorParse parse_command_line(const std::vector<std::string>& args) {
  MonitorOptions options;
  if (!args.empty() && !args[0].empty()) options.program_name = args[0];
  options.probe_limits = probe_limits();
  MonitorParse result;
  const auto failed = [&](const std::string& message) {
    result.options.reset();
    result.err = options.program_name + ": --monitor: " + message + "\n";
    result.exit_code = kExitError;
    return result;
  };

  CLI::App app;
  app.set_help_flag();
  bool monitor = false, help = false, v4 = false, v6 = false;
  std::vector<std::string> generate, probe_allow;
  std::string file, interval, timeout, size, ttl, resolve_every, listen, max_connections, probe_max, textfile,
      down_after, up_after, summary_every;
  app.add_flag("--monitor", monitor);
  app.add_flag("-h,--help", help);
  app.add_flag("-4", v4);
  app.add_flag("-6", v6);
  app.add_flag("--json", options.json);
  app.add_flag("-v", options.verbose);
  // One value per -g / --probe-allow: without allow_extra_args(false) CLI11 would swallow the
  // targets after it.
  app.add_option("-g,--generate", generate)->type_size(1)->allow_extra_args(false)->take_all();
  app.add_option("--probe-allow", probe_allow)->type_size(1)->allow_extra_args(false)->take_all();
  // Whether an option was given is CLI11's count, never the text: an empty value (`-i "$UNSET"`)
  // is a bad value, not a missing option.
  const CLI::Option* file_given = app.add_option("--file", file);
  const CLI::Option* interval_given = app.add_option("-i", interval);
  const CLI::Option* timeout_given = app.add_option("-W", timeout);
  const CLI::Option* size_given = app.add_option("-s", size);
  const CLI::Option* ttl_given = app.add_option("-t", ttl);
  const CLI::Option* resolve_every_given = app.add_option("--resolve-every", resolve_every);
  const CLI::Option* listen_given = app.add_option("--listen", listen);
  const CLI::Option* max_connections_given = app.add_option("--max-connections", max_connections);
  const CLI::Option* probe_max_given = app.add_option("--probe-max", probe_max);
  const CLI::Option* textfile_given = app.add_option("--textfile", textfile);
  const CLI::Option* down_after_given = app.add_option("--down-after", down_after);
  const CLI::Option* up_after_given = app.add_option("--up-after", up_after);
  const CLI::Option* summary_every_given = app.add_option("--summary-every", summary_every);
  app.add_option("targets", options.targets);
  if (const auto error = cli::parse_arguments(app, args)) {
    return failed(first_line(*error) + " (see " + options.program_name + " --monitor --help)");
  }
  if (help) {
    result.out = help_text(options.program_name);
    return result;
  }

  // ping4 / ping6 count as -4 / -6, as in every mode.
  const auto implied = family_implied_by_name(options.program_name);
  if (implied == icmp::Family::v4) v4 = true;
  if (implied == icmp::Family::v6) v6 = true;
  if (v4 && v6) return failed("only one -4 or -6 option may be specified");
  if (v4) options.family = icmp::Family::v4;
  if (v6) options.family = icmp::Family::v6;

  std::uint64_t target_count = options.targets.size();
  for (const auto& spec : generate) {
    auto range = targets::parse_range(spec);
    if (auto* error = std::get_if<targets::RangeError>(&range)) return failed("-g " + error->message);
    const auto& parsed = std::get<targets::AddressRange>(range);
    if (options.family && parsed.first.family != *options.family) {
      return failed("-g " + spec + ": not of the family asked for with -4 / -6");
    }
    options.ranges.push_back(parsed);
    target_count += static_cast<std::uint64_t>(parsed.size());
  }
  for (const auto& target : options.targets) {
    if (target.find('/') != std::string::npos &&
        std::holds_alternative<targets::AddressRange>(targets::parse_range(target))) {
      return failed(target + ": a range needs -g (-g " + target + ")");
    }
  }
  if (target_count > kMaxTargets) {
    return failed(std::to_string(target_count) + " targets from the command line and -g: at most " +
                  std::to_string(kMaxTargets));
  }
  if (file_given->count() > 0) {
    if (file.empty()) return failed("invalid --file '': a file name");
    if (file == "-") return failed("--file -: standard input cannot be read again on SIGHUP, give a file");
    options.file = file;
  }
  if (options.targets.empty() && options.ranges.empty() && !options.file) {
    return failed("no target given (see " + options.program_name + " --monitor --help)");
  }

  const auto whole = [](const CLI::Option* given, const std::string& text, std::string_view option, double min,
                        double max, auto& into) -> std::optional<std::string> {
    if (given->count() == 0) return std::nullopt;
    auto parsed = cli::parse_bounded_whole(text, option, min, max);
    if (auto* message = std::get_if<std::string>(&parsed)) return *message;
    using Into = std::remove_reference_t<decltype(into)>;
    if constexpr (std::is_same_v<Into, std::chrono::seconds>) {
      into = std::chrono::seconds(std::get<std::uint64_t>(parsed));
    } else {
      into = static_cast<Into>(std::get<std::uint64_t>(parsed));
    }
    return std::nullopt;
  };
  const auto seconds = [](const CLI::Option* given, const std::string& text, std::string_view option, double min,
                          double max, std::string_view unit,
                          std::chrono::microseconds& into) -> std::optional<std::string> {
    if (given->count() == 0) return std::nullopt;
    auto parsed = cli::parse_bounded_number(text, option, min, max, unit);
    if (auto* message = std::get_if<std::string>(&parsed)) return *message;
    into = to_micros(std::get<double>(parsed));
    return std::nullopt;
  };

  int hops = 0;
  const std::size_t max_size = options.family == icmp::Family::v6 ? kMaxPayloadSize : kMaxIpv4PayloadSize;
  std::optional<std::string> problem;
  if (!problem)
    problem = seconds(interval_given, interval, "-i", 0.001, 3600, "seconds, 0.001 to 3600", options.interval);
  if (!problem) problem = seconds(timeout_given, timeout, "-W", 0.001, 60, "seconds, 0.001 to 60", options.timeout);
  if (!problem) problem = whole(size_given, size, "-s", 0, static_cast<double>(max_size), options.payload_size);
  if (!problem && ttl_given->count() > 0) {
    problem = whole(ttl_given, ttl, "-t", 1, 255, hops);
    if (!problem) options.ttl = hops;
  }
  if (!problem) problem = whole(resolve_every_given, resolve_every, "--resolve-every", 1, 86400, options.resolve_every);
  if (!problem) problem = whole(down_after_given, down_after, "--down-after", 1, 1000, options.down_after);
  if (!problem) problem = whole(up_after_given, up_after, "--up-after", 1, 1000, options.up_after);
  if (!problem) problem = whole(summary_every_given, summary_every, "--summary-every", 0, 86400, options.summary_every);
  if (!problem) {
    problem = whole(max_connections_given, max_connections, "--max-connections", 1, 10000, options.max_connections);
  }
  if (!problem) problem = whole(probe_max_given, probe_max, "--probe-max", 1, 1000, options.probe_max);
  if (problem) return failed(*problem);

  if (listen_given->count() > 0) {
    auto parsed = parse_listen(listen);
    if (auto* message = std::get_if<std::string>(&parsed)) return failed(*message);
    options.listen = std::get<ListenAddress>(parsed);
  }
  for (const auto& list : probe_allow) {
    if (list.empty()) return failed("invalid --probe-allow '': an address block such as 198.51.100.0/24");
    // "198.51.100.0/24,2001:db8::/32": each block of a comma-separated list, no empty item.
    std::size_t begin = 0;
    while (true) {
      const auto comma = std::min(list.find(',', begin), list.size());
      const std::string_view item = std::string_view(list).substr(begin, comma - begin);
      if (item.empty()) return failed("invalid --probe-allow '" + list + "': an empty item in the list");
      auto block = parse_cidr(item);
      if (auto* message = std::get_if<std::string>(&block)) return failed("--probe-allow " + *message);
      options.probe_allow.add(std::get<Cidr>(block));
      if (comma == list.size()) break;
      begin = comma + 1;
    }
  }
  if (textfile_given->count() > 0) {
    if (auto refused = check_textfile(textfile)) return failed(*refused);
    options.textfile = textfile;
  }
  result.options = std::move(options);
  return result;
}

std::string help_text(const std::string& program) {
  return "Usage: " + program +
         " --monitor [options] <target>... | -g <range> | --file <file>\n"
         "Watches targets without end: one probe per target every -i seconds, outages as events on\n"
         "stdout, Prometheus metrics on --listen (/metrics, /probe), node_exporter's textfile with\n"
         "--textfile. Runs until SIGTERM or SIGINT (exit 0); SIGHUP re-reads --file. Exit 2 on error.\n\n"
         "Targets (at least one target, -g or --file):\n"
         "  <target>...             host names or IPv4 / IPv6 addresses; names are looked up again\n"
         "                          every --resolve-every seconds\n"
         "  -g, --generate <range>  198.51.100.0/24, 2001:db8::/120 or START-END (repeatable;\n"
         "                          at most 1000000 targets with the command line's)\n"
         "  --file <file>           one target per line ('#' comments), re-read on SIGHUP; it may be\n"
         "                          empty (not '-': standard input cannot be read again)\n"
         "Probing:\n"
         "  -i <seconds>            between probes to one target (default 1; 0.001 to 3600)\n"
         "  -W <seconds>            a probe without answer by then is lost (default 1; 0.001 to 60)\n"
         "  -s <size>               payload bytes (default 56; at most 65507, 65527 with -6)\n"
         "  -t <ttl>                time to live / hop limit (1 to 255)\n"
         "  -4, -6                  IPv4 or IPv6 only\n"
         "  --resolve-every <s>     look names up again every s seconds (default 300; 1 to 86400)\n"
         "Outages:\n"
         "  --down-after <n>        down after n probes lost in a row (default 3; 1 to 1000)\n"
         "  --up-after <m>          up again after m replies in a row (default 2; 1 to 1000)\n"
         "Output:\n"
         "  (default)               events as text lines on stdout (outages, summaries, resolutions)\n"
         "  --json                  events as JSON, one object per line (see uping(8), MONITOR MODE)\n"
         "  -v                      every reply, timeout, ICMP error and send error as an event too\n"
         "  --summary-every <s>     a summary per target every s seconds (default 60; 0: none)\n"
         "  --textfile <path>       node_exporter textfile, rewritten every max(-i, 1 s) and at exit;\n"
         "                          its directory must exist\n"
         "HTTP (no server without --listen):\n"
         "  --listen <addr:port>    127.0.0.1:9375, [::1]:9375, or :9375 for every address; numeric\n"
         "                          only (port 0: any free port, printed on stderr)\n"
         "  --max-connections <n>   connections at once (default 64; 1 to 10000)\n"
         "  --probe-allow <cidr>    blocks /probe may send to (repeatable, or comma-separated);\n"
         "                          without it /probe answers 403\n"
         "  --probe-max <n>         /probe requests running at once (default 16; 1 to 1000)\n"
         "Endpoints: /metrics, /probe?target=T&count=N&interval=S&timeout=S (count 1 to 100,\n"
         "default 3; interval 0.01 to 10 s, default 0.2; timeout 0.001 to 10 s, default 1),\n"
         "/-/healthy, /. See docs/monitor.md and uping(8).\n";
}

}  // namespace uping::monitor
