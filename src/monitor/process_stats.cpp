#include "monitor/process_stats.hpp"

namespace uping::monitor {}  // namespace uping::monitor
