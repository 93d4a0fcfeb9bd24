#include "uping/engine.hpp"
