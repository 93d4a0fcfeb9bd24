// A --file that fails ends its source without losing what came before; a file read on a thread of
// its own never blocks the caller, reads ahead boundedly, and knows when nothing is left.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "cli/target_reader.hpp"
#include "cli/targets.hpp"

using namespace uping::targets;
using namespace std::string_literals;

namespace {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    if (read_end != -1) ::close(read_end);
    if (write_end != -1) ::close(write_end);
  }
  void write(const std::string& text) const {
    REQUIRE(::write(write_end, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  void close_writer() {
    ::close(write_end);
    write_end = -1;
  }
};

// A TargetFile over the pipe's read end, as open_target_file gives one for /dev/fd/N.
TargetFile file_of(const Pipe& pipe) {
  auto opened = open_target_file("/dev/fd/" + std::to_string(pipe.read_end));
  REQUIRE(std::holds_alternative<TargetFile>(opened));
  return std::move(std::get<TargetFile>(opened));
}

// Runs the loop until the reader has woken it `wakes` times more, or two seconds passed.
void wait_for_wake(boost::asio::io_context& io, const int& woken, int wanted) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (woken < wanted && std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  REQUIRE(woken >= wanted);
}

}  // namespace

TEST_CASE("a bad line ends the file source: the targets before it come, then the error, once", "[targets]") {
  std::istringstream file("203.0.113.1\n203.0.113.2\nab\0c\n203.0.113.3\n"s);
  TargetStream stream({"a.example"}, {}, &file, "nul.txt");
  std::vector<std::string> texts;
  while (auto next = stream.next()) texts.push_back(next->text);
  CHECK(texts == std::vector<std::string>{"a.example", "203.0.113.1", "203.0.113.2"});
  REQUIRE(stream.input_error());
  CHECK(*stream.input_error() == "nul.txt: line 3: a NUL byte");
  CHECK_FALSE(stream.waiting());
  CHECK_FALSE(stream.next());       // nothing further is read
  CHECK(stream.untaken().empty());  // the error says it; no "rest of --file" as well
}

TEST_CASE("a read error is an input error with its reason, not an end of file", "[targets]") {
  const int directory = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(directory != -1);
  FdReadBuffer buffer(directory, "dir");
  std::istream in(&buffer);
  LineReader reader(in, "dir");
  CHECK_THROWS_WITH(reader.next(), "dir: Is a directory");
  ::close(directory);
}

TEST_CASE("a file read in the background: nothing for now, then its targets, then its end", "[targets]") {
  boost::asio::io_context io;
  Pipe pipe;
  int woken = 0;
  TargetStream stream({}, {}, nullptr);
  stream.read_lines_from(read_in_background(io, file_of(pipe), [&] { ++woken; }));
  CHECK_FALSE(stream.ready_now());
  CHECK_FALSE(stream.next());
  CHECK(stream.waiting());  // not the end: the pipe is open and empty
  CHECK(stream.untaken().file_left);

  pipe.write("203.0.113.1\n# comment\nname.example\n");
  wait_for_wake(io, woken, 1);
  std::vector<std::string> texts;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (texts.size() < 2 && std::chrono::steady_clock::now() < give_up) {
    if (auto next = stream.next()) texts.push_back(next->text);
  }
  CHECK(texts == std::vector<std::string>{"203.0.113.1", "name.example"});
  CHECK_FALSE(stream.next());
  CHECK(stream.waiting());

  pipe.close_writer();
  // The wake-up posted for the last line may come only now: wait for the one that brings the end.
  const auto end_due = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!stream.ready_now() && std::chrono::steady_clock::now() < end_due) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  CHECK(stream.ready_now());
  // The end is known without asking past it: nothing is left, so nothing is said untaken.
  CHECK_FALSE(stream.untaken().file_left);
  CHECK_FALSE(stream.next());
  CHECK_FALSE(stream.waiting());
  CHECK_FALSE(stream.input_error());
}

TEST_CASE("a file read in the background that fails gives what came before, then the error", "[targets]") {
  boost::asio::io_context io;
  Pipe pipe;
  int woken = 0;
  TargetStream stream({}, {}, nullptr);
  stream.read_lines_from(read_in_background(io, file_of(pipe), [&] { ++woken; }));
  pipe.write("203.0.113.1\nab\0c\n203.0.113.3\n"s);
  wait_for_wake(io, woken, 1);
  std::vector<std::string> texts;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!stream.input_error() && std::chrono::steady_clock::now() < give_up) {
    if (auto next = stream.next()) texts.push_back(next->text);
  }
  CHECK(texts == std::vector<std::string>{"203.0.113.1"});
  REQUIRE(stream.input_error());
  CHECK(stream.input_error()->ends_with(": line 2: a NUL byte"));
  CHECK_FALSE(stream.waiting());
  CHECK(stream.untaken().empty());
}

TEST_CASE("a file read in the background is never read ahead without bound", "[targets]") {
  boost::asio::io_context io;
  Pipe pipe;
  TargetStream stream({}, {}, nullptr);
  stream.read_lines_from(read_in_background(io, file_of(pipe), [] {}));
  REQUIRE(::fcntl(pipe.write_end, F_SETFL, O_NONBLOCK) == 0);
  const std::string line(200, 'h');
  const std::string lines = [&] {
    std::string text;
    for (int i = 0; i < 64; ++i) text += line + "\n";
    return text;
  }();
  // Written until the pipe stays full: the reader has stopped taking.
  std::size_t written = 0;
  for (int full = 0; full < 20 && written < (64U << 20);) {
    const ssize_t wrote = ::write(pipe.write_end, lines.data(), lines.size());
    if (wrote > 0) {
      written += static_cast<std::size_t>(wrote);
      full = 0;
    } else {
      REQUIRE(errno == EAGAIN);
      ++full;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // The queue, the reader's buffer and line, and the pipe's own buffer (64 KiB, or a page more).
  CHECK(written <= kMaxQueued * (line.size() + 1) + 4 * kMaxLineBytes);
  REQUIRE(stream.next());
  CHECK(stream.next()->text == line);
}

TEST_CASE("a FIFO opens at once and is read when its writer comes", "[targets]") {
  char directory[] = "/tmp/uping-fifo.XXXXXX";
  REQUIRE(::mkdtemp(directory) != nullptr);
  const std::string path = std::string(directory) + "/targets";
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  boost::asio::io_context io;
  int woken = 0;
  TargetStream stream({}, {}, nullptr);
  {
    auto opened = open_target_file(path);  // no writer: must not block
    REQUIRE(std::holds_alternative<TargetFile>(opened));
    stream.read_lines_from(read_in_background(io, std::move(std::get<TargetFile>(opened)), [&] { ++woken; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(stream.ready_now());  // no writer yet is not the end of the file
  const int writer = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  REQUIRE(writer != -1);
  REQUIRE(::write(writer, "203.0.113.1\n", 12) == 12);
  ::close(writer);
  std::vector<std::string> texts;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
    if (auto next = stream.next()) {
      texts.push_back(next->text);
    } else if (!stream.waiting()) {
      break;  // the end: the writer came and went
    }
  }
  CHECK(texts == std::vector<std::string>{"203.0.113.1"});
  CHECK_FALSE(stream.waiting());
  CHECK(woken >= 1);
  ::unlink(path.c_str());
  ::rmdir(directory);
}
