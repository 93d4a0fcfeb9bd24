#include "monitor/options.hpp"

namespace uping::monitor {}  // namespace uping::monitor
