#include "uping/report.hpp"
