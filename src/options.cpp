#include "uping/options.hpp"
