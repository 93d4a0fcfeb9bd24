#include "monitor/http_server.hpp"

namespace uping::monitor {}  // namespace uping::monitor
