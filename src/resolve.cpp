#include "uping/resolve.hpp"
