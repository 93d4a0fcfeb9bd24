#pragma once
// `uping --monitor`: watches the targets until SIGTERM or SIGINT (then exit 0), serving /metrics,
// /probe, /-/healthy and / with --listen, writing --textfile every interval, events on stdout.

#include "monitor/options.hpp"

namespace uping::monitor {

int run(const MonitorOptions& options);

}  // namespace uping::monitor
