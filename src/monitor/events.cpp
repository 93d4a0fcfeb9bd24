#include "monitor/events.hpp"

namespace uping::monitor {}  // namespace uping::monitor
