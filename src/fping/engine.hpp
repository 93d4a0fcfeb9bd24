#pragma once
// fping's main loop on uping::Pinger and asio: sends as the Schedule says, hands every event to
// the Book and writes what it returns, takes SIGINT (finish) and SIGQUIT (interval report), runs
// -Q's timer. run.cpp drives it: sockets first, then targets, then the loop.

#include <cstdint>
#include <memory>
#include <optional>

#include "fping/book.hpp"
#include "fping/options.hpp"
#include "fping/targets.hpp"

namespace uping::fping {

// Writes Emissions in order: each stdout chunk at once (line by line, so that a reader merging
// the streams sees every reply before the summaries on stderr), stderr unbuffered. After a failed
// stdout write nothing more goes to stdout; error() says why.
class EmissionWriter {
 public:
  void write(const Emission& emission);
  int error() const noexcept { return error_; }

 private:
  int error_ = 0;
};

class Engine {
 public:
  Engine(const FpingOptions& options, EmissionWriter& writer);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Opens a socket of each family the options allow, with their settings (-b -H -O -M -I -S -k -R).
  // Empty when the run can go on; else fping's exit code, the reason written to stderr.
  std::optional<int> open_sockets();

  // fping's main loop over `targets` (at least one), then its finish; returns the exit code.
  // `start`: steady-clock nanoseconds when fping's start_time was taken (before the names resolved).
  int run(TargetList targets, std::int64_t start);

  static std::int64_t steady_now();

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace uping::fping
