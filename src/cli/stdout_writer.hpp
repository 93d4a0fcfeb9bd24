#pragma once
// The one way results reach stdout, in every mode (ping, sweeps, --health, --diagnose, --help):
// text is gathered in a buffer and written with as few write() calls as possible, and a write
// that fails is handed back to the caller, never dropped: a result that cannot be delivered must
// not pass for a success.

#include <cstddef>
#include <string>
#include <string_view>

namespace uping {

class StdoutWriter {
 public:
  StdoutWriter& operator+=(std::string_view text) {
    pending_ += text;
    return *this;
  }
  // The text not yet written, for formatters that append in place (report::append_reply_line):
  // once it has grown, a flood adds its lines without allocating.
  std::string& pending() noexcept { return pending_; }
  bool empty() const noexcept { return pending_.empty(); }
  std::size_t size() const noexcept { return pending_.size(); }

  // Writes everything pending, looping over partial writes and EINTR; the buffer is emptied
  // (its capacity kept) either way. 0 when all of it was written, else the failed write's errno.
  [[nodiscard]] int flush() noexcept;

 private:
  std::string pending_;
};

// Writes `text` to stdout at once: 0, or the errno of the write that failed.
[[nodiscard]] int write_stdout(std::string_view text) noexcept;

// What a failed stdout write means for a mode.
enum class BrokenPipe : unsigned char {
  quiet,     // the reader went away (`| head -1`): end as the default SIGPIPE would, silently
  reported,  // an error like any other (--health, whose exit code must stay 0 or 1)
};

// Ends a run whose stdout failed: "<program>: <prefix>write error: <reason>" on stderr and
// `exit_code` returned; with BrokenPipe::quiet an EPIPE ends the process by SIGPIPE instead.
int report_write_error(int error, int exit_code, BrokenPipe broken_pipe, std::string_view prefix = {});

// Gives each of descriptors 0, 1 and 2 that is closed a placeholder on which every write (1, 2)
// or read (0) fails with EBADF: the end of a pipe opened the other way. Without it the first
// socket opened would become "stdout" and the results would be sent into it. Needs no file
// system (the static binary may run in an empty root). False when no pipe could be made.
bool guard_standard_descriptors() noexcept;

}  // namespace uping
