#include "monitor/target_metrics.hpp"

namespace uping::monitor {}  // namespace uping::monitor
