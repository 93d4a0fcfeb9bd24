#include "monitor/startup.hpp"

#include <cstdio>
#include <variant>

#include "cli/log.hpp"
#include "cli/targets.hpp"
#include "monitor/watch_file.hpp"

namespace uping::monitor {

void say(const std::string& what) { log::error("--monitor: " + what); }

PingerSettings pinger_settings(const MonitorOptions& options) {
  PingerSettings settings;
  settings.payload_size = options.payload_size;
  settings.timeout = options.timeout;
  settings.ttl = options.ttl;
  return settings;
}

std::optional<int> open_sockets(Pinger& pinger, const MonitorOptions& options) {
  std::vector<SocketAttempt> attempts;
  bool any = false;
  for (const icmp::Family family : {icmp::Family::v4, icmp::Family::v6}) {
    if (options.family && *options.family != family) continue;
    const OpenResult opened = pinger.open(family);
    attempts.insert(attempts.end(), opened.attempts.begin(), opened.attempts.end());
    if (opened.failure != OpenFailure::none) {
      say(opened.error);
      return kExitError;
    }
    any = any || static_cast<bool>(opened);
  }
  if (!any) {
    std::fputs(explain_open_failure(attempts, "uping").c_str(), stderr);
    return kExitError;
  }
  return std::nullopt;
}

std::optional<int> take_targets(TargetSet& targets, const MonitorOptions& options) {
  for (const std::string& text : options.targets) targets.add(text, TargetOrigin::command_line);
  for (const targets::AddressRange& range : options.ranges) {
    targets::RangeWalker walker(range);
    while (const auto address = walker.next()) {
      if (targets.size() >= kMaxTargets) break;
      targets.add(targets::to_string(*address), TargetOrigin::command_line);
    }
  }
  if (!options.file) return std::nullopt;
  auto read = read_watch_file(*options.file, kMaxTargets - targets.size());
  if (const auto* refusal = std::get_if<std::string>(&read)) {
    say(*refusal);
    return kExitError;
  }
  for (std::string& text : std::get<std::vector<std::string>>(read)) targets.add(std::move(text), TargetOrigin::file);
  return std::nullopt;
}

std::string listen_text(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

void fill_views(const TargetSet& targets, std::vector<TargetView>& views) {
  views.clear();
  views.reserve(targets.size());
  for (const WatchedTarget& target : targets) {
    views.push_back({target.text, target.ip, target.family_label(), target.metrics.get(), target.resolve_failures,
                     target.last_rtt});
  }
}

}  // namespace uping::monitor
