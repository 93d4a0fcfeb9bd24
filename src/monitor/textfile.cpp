#include "monitor/textfile.hpp"

namespace uping::monitor {}  // namespace uping::monitor
