#pragma once
// fping's run after its command line parsed: the sockets (uping::Pinger, datagram first), the
// privilege drop, the targets (operands, -f, standard input, -g), fping's main loop (schedule.hpp)
// and its end. Every byte it prints comes from the Book (book.hpp) except the start-up failures
// fping itself prints before a Book exists.

#include "fping/options.hpp"

namespace uping::fping {

// A failed write to stdout ends the run: "<program>: write error: <reason>" on stderr and this
// code (fping's for a failed system call); a reader gone away (EPIPE) ends it by SIGPIPE, as fping.
inline constexpr int kExitWriteError = kExitSystemCall;

// Runs fping as `options` say and returns its exit code.
int run(const FpingOptions& options);

}  // namespace uping::fping
