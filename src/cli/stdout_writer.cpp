#include "cli/stdout_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "cli/log.hpp"

namespace uping {
namespace {

int write_all(std::string_view text) noexcept {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

bool is_open(int fd) noexcept { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

}  // namespace

int StdoutWriter::flush() noexcept {
  const int error = write_all(pending_);
  pending_.clear();
  return error;
}

int write_stdout(std::string_view text) noexcept { return write_all(text); }

int report_write_error(int error, int exit_code, BrokenPipe broken_pipe, std::string_view prefix) {
  if (error == EPIPE && broken_pipe == BrokenPipe::quiet) {
    // SIGPIPE may be ignored in this process (or by its parent): restore it to end as it would.
    std::signal(SIGPIPE, SIG_DFL);
    std::raise(SIGPIPE);
  }
  log::error(std::string(prefix) + "write error: " + std::strerror(error));
  return exit_code;
}

bool guard_standard_descriptors() noexcept {
  const bool closed[3] = {!is_open(0), !is_open(1), !is_open(2)};
  if (!closed[0] && !closed[1] && !closed[2]) return true;
  int ends[2];
  if (::pipe(ends) != 0) return false;
  // The new descriptors may themselves have landed on 0..2: move both above 2 first.
  const int read_end = ::fcntl(ends[0], F_DUPFD_CLOEXEC, 3);
  const int write_end = ::fcntl(ends[1], F_DUPFD_CLOEXEC, 3);
  ::close(ends[0]);
  ::close(ends[1]);
  bool placed = read_end >= 0 && write_end >= 0;
  for (int fd = 0; fd < 3 && placed; ++fd) {
    // stdin gets a write end (read fails), stdout and stderr a read end (write fails).
    if (closed[fd]) placed = ::dup2(fd == 0 ? write_end : read_end, fd) == fd;
  }
  if (read_end >= 0) ::close(read_end);
  if (write_end >= 0) ::close(write_end);
  return placed;
}

}  // namespace uping
