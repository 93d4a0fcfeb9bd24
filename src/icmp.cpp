#include "uping/icmp.hpp"
