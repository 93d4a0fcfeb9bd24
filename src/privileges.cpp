#include "uping/privileges.hpp"
