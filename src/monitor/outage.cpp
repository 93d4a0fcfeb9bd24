#include "monitor/outage.hpp"

namespace uping::monitor {}  // namespace uping::monitor
