#include "uping/socket.hpp"
