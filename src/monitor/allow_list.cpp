#include "monitor/allow_list.hpp"

namespace uping::monitor {}  // namespace uping::monitor
