// --textfile: written whole through a temporary file that node_exporter ignores, renamed over the
// path; failures name the path and the step and leave no temporary behind.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "monitor/textfile.hpp"

using uping::monitor::write_textfile;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "uping-textfile.XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, ignored);
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t entries(const fs::path& directory) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory)) ++count;
  return count;
}

}  // namespace

TEST_CASE("textfile: written whole, mode 0644, replacing the last one, no temporary left", "[monitor_textfile]") {
  TempDir dir;
  const auto path = (dir.path / "uping.prom").string();
  const mode_t old_mask = ::umask(077);
  const auto first = write_textfile(path, "a 1\n");
  ::umask(old_mask);
  REQUIRE_FALSE(first.has_value());
  CHECK(slurp(path) == "a 1\n");
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
  const std::string big(3 << 20, 'x');
  REQUIRE_FALSE(write_textfile(path, big).has_value());
  CHECK(slurp(path) == big);
  REQUIRE_FALSE(write_textfile(path, "b 2\n").has_value());
  CHECK(slurp(path) == "b 2\n");
  CHECK(entries(dir.path) == 1);
}

TEST_CASE("textfile: a symbolic link at the temporary name is not followed", "[monitor_textfile]") {
  TempDir dir;
  const auto victim = dir.path / "victim";
  { std::ofstream(victim) << "keep\n"; }
  fs::create_symlink(victim, dir.path / ".uping.prom.tmp");
  const auto failure = write_textfile((dir.path / "uping.prom").string(), "a 1\n");
  REQUIRE(failure.has_value());
  CHECK(failure->rfind((dir.path / "uping.prom").string() + ": open ", 0) == 0);
  CHECK(slurp(victim) == "keep\n");
}

TEST_CASE("textfile: failures are one line naming the path and the step", "[monitor_textfile]") {
  TempDir dir;
  const auto missing = (dir.path / "no-such-dir" / "uping.prom").string();
  const auto failure = write_textfile(missing, "a 1\n");
  REQUIRE(failure.has_value());
  CHECK(failure->rfind(missing + ": open ", 0) == 0);
  CHECK(failure->find("No such file or directory") != std::string::npos);
  CHECK(failure->find('\n') == std::string::npos);

  // rename fails (the path is a non-empty directory): the temporary is removed.
  const auto occupied = dir.path / "occupied.prom";
  fs::create_directory(occupied);
  { std::ofstream(occupied / "inside") << "x"; }
  const auto renamed = write_textfile(occupied.string(), "a 1\n");
  REQUIRE(renamed.has_value());
  CHECK(renamed->rfind(occupied.string() + ": rename: ", 0) == 0);
  CHECK_FALSE(fs::exists(dir.path / ".occupied.prom.tmp"));

  CHECK(write_textfile((dir.path / "").string(), "a 1\n").has_value());

  if (::geteuid() != 0) {  // root writes anywhere
    fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
    const auto denied = write_textfile((dir.path / "uping.prom").string(), "a 1\n");
    REQUIRE(denied.has_value());
    CHECK(denied->find("Permission denied") != std::string::npos);
  }
}

TEST_CASE("textfile: a path without a directory part writes in the current directory", "[monitor_textfile]") {
  TempDir dir;
  const auto previous = fs::current_path();
  fs::current_path(dir.path);
  const auto failure = write_textfile("here.prom", "a 1\n");
  fs::current_path(previous);
  REQUIRE_FALSE(failure.has_value());
  CHECK(slurp(dir.path / "here.prom") == "a 1\n");
  CHECK(entries(dir.path) == 1);
}

TEST_CASE("textfile: written from pieces, as the monitor renders it, never held whole", "[monitor_textfile]") {
  TempDir dir;
  const auto path = (dir.path / "uping.prom").string();
  std::string expected;
  const auto failure = write_textfile(path, [&expected](const uping::monitor::TextfileWrite& write) {
    for (int i = 0; i < 2000; ++i) {
      const std::string piece = "uping_sample{i=\"" + std::to_string(i) + "\"} " + std::to_string(i * 7) + "\n";
      expected += piece;
      write(piece);
    }
  });
  REQUIRE_FALSE(failure.has_value());
  CHECK(slurp(path) == expected);
  CHECK(entries(dir.path) == 1);
}

TEST_CASE("textfile: a write that fails midway is an error; the last file stays, no temporary", "[monitor_textfile]") {
  TempDir dir;
  const auto path = (dir.path / "uping.prom").string();
  REQUIRE_FALSE(write_textfile(path, "a 1\n").has_value());
  // A file size limit makes write(2) fail with EFBIG once 64 KiB are written (SIGXFSZ ignored).
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = 64 << 10;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  int pieces = 0;
  const auto failure = write_textfile(path, [&pieces](const uping::monitor::TextfileWrite& write) {
    for (; pieces < 100; ++pieces) write(std::string(4096, 'x'));
  });
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE(failure.has_value());
  CHECK(failure->find(path + ": write: ") == 0);
  CHECK(pieces == 100);  // the source ran to its end; what came after the failure was dropped
  CHECK(slurp(path) == "a 1\n");
  CHECK(entries(dir.path) == 1);
}
