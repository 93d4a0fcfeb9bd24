#include "monitor/render.hpp"

namespace uping::monitor {}  // namespace uping::monitor
