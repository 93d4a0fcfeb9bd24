#pragma once
// The two kinds of ICMP socket and the record of one attempt to open one, for the diagnosis.

#include <cstdint>

#include "uping/icmp.hpp"

namespace uping {

enum class SocketMode : std::uint8_t { datagram, raw };

struct SocketAttempt {
  icmp::Family family = icmp::Family::v4;
  SocketMode mode = SocketMode::datagram;
  int error = 0;  // errno of socket(); 0 when it succeeded
};

}  // namespace uping
