#include "uping/diagnose.hpp"
