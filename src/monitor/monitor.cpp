#include "monitor/monitor.hpp"

namespace uping::monitor {}  // namespace uping::monitor
