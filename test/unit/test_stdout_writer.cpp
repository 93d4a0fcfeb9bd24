// The stdout writer: a failed write comes back to the caller with its errno, and what was pending
// is dropped either way. stdout is pointed at a pipe for the test and restored after.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "cli/stdout_writer.hpp"

namespace {

// Points STDOUT_FILENO at `fd` for the lifetime of the object.
class StdoutRedirect {
 public:
  explicit StdoutRedirect(int fd) : saved_(::dup(STDOUT_FILENO)) {
    std::fflush(stdout);
    ::dup2(fd, STDOUT_FILENO);
  }
  ~StdoutRedirect() {
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
  }
  StdoutRedirect(const StdoutRedirect&) = delete;
  StdoutRedirect& operator=(const StdoutRedirect&) = delete;

 private:
  int saved_;
};

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int ends[2];
    REQUIRE(::pipe2(ends, O_CLOEXEC | O_NONBLOCK) == 0);
    read_end = ends[0];
    write_end = ends[1];
  }
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
};

}  // namespace

TEST_CASE("the stdout writer writes everything pending and reports success", "[stdout]") {
  Pipe pipe;
  uping::StdoutWriter writer;
  writer += "first line\n";
  writer.pending() += "second line\n";
  CHECK(writer.size() == 23);
  int result = -1;
  {
    const StdoutRedirect redirect(pipe.write_end);
    result = writer.flush();
  }
  CHECK(result == 0);
  CHECK(writer.empty());
  std::string got(64, '\0');
  const ssize_t n = ::read(pipe.read_end, got.data(), got.size());
  REQUIRE(n == 23);
  got.resize(static_cast<std::size_t>(n));
  CHECK(got == "first line\nsecond line\n");
}

TEST_CASE("a failed stdout write comes back as its errno and empties the buffer", "[stdout]") {
  Pipe pipe;
  uping::StdoutWriter writer;
  writer += "lost\n";
  int result = 0;
  {
    // The read end of a pipe: what a closed stdout gets from guard_standard_descriptors.
    const StdoutRedirect redirect(pipe.read_end);
    result = writer.flush();
    CHECK(uping::write_stdout("also lost\n") == EBADF);
  }
  CHECK(result == EBADF);
  CHECK(writer.empty());
}
