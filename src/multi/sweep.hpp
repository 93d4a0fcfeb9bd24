#pragma once
// Sweep mode: many targets probed at once on the Pinger. Targets stream in from their sources
// (ranges, file, command line) as room allows; a target's state lives only while it is being
// probed and its summary is printed when it retires, so memory grows with the probes in flight,
// never with the number of targets. Sends are paced by --rate and interleaved with batched
// receives, so that replies do not pile up in the kernel's receive buffer.

#include "multi/sweep_options.hpp"

namespace uping::sweep {

// At most this many targets are being probed at once: bounds memory (about 250 bytes each) and
// still lets more than 65,535 probes be in flight, over two sockets per family.
inline constexpr std::size_t kMaxActiveTargets = 131'072;

// Runs the sweep; returns the exit code (kAllReachable, kNotReachable or kError).
int run(const SweepOptions& options);

}  // namespace uping::sweep
