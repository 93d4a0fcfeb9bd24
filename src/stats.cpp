#include "uping/stats.hpp"
