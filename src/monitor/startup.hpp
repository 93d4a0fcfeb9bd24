#pragma once
// The monitor's start-up steps that need no event loop: the ICMP sockets (before the privilege
// drop), the targets of the command line, -g and --file (after it), and the view of the watched
// set that /metrics, / and --textfile render.

#include <optional>
#include <string>
#include <vector>

#include "monitor/options.hpp"
#include "monitor/render.hpp"
#include "monitor/target_set.hpp"
#include "uping/pinger.hpp"

namespace uping::monitor {

inline constexpr std::size_t kMaxTargets = 1'000'000;

PingerSettings pinger_settings(const MonitorOptions& options);

// v4 unless -6, v6 unless -4: one family that opens is enough. The exit code when none does
// (the permission diagnosis printed) or a setting is refused; else nothing.
std::optional<int> open_sockets(Pinger& pinger, const MonitorOptions& options);

// Command-line targets, then -g's addresses, then --file's lines. The exit code when the file
// cannot be read (said on stderr).
std::optional<int> take_targets(TargetSet& targets, const MonitorOptions& options);

// "127.0.0.1:9375", "[::1]:9375".
std::string listen_text(const std::string& address, std::uint16_t port);

// One TargetView per watched target, into `views` (its memory reused from scrape to scrape).
void fill_views(const TargetSet& targets, std::vector<TargetView>& views);

// "uping: --monitor: WHAT" on stderr.
void say(const std::string& what);

}  // namespace uping::monitor
