#include "monitor/schedule.hpp"

namespace uping::monitor {}  // namespace uping::monitor
