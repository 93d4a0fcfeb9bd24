#include "monitor/textfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace uping::monitor {
namespace {

std::string error_text(int error) { return std::system_category().message(error); }

// Writes all of `text`: write(2) may stop short (a signal, a full pipe-like device) or be interrupted.
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (written == 0) return EIO;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

}  // namespace

std::optional<std::string> write_textfile(const std::string& path, const TextfileSource& source) {
  const auto slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return path + ": not a file name";
  // Not *.prom: node_exporter reads every *.prom in the directory and could read it half-written.
  const std::string temporary = directory + "." + name + ".tmp";
  const auto fail = [&](const char* step, int error) {
    ::unlink(temporary.c_str());
    return path + ": " + step + ": " + error_text(error);
  };

  // O_NOFOLLOW: a symbolic link planted at the temporary name does not redirect the write.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return path + ": open " + temporary + ": " + error_text(errno);
  // 0644 whatever the umask: node_exporter usually runs as another user.
  if (::fchmod(fd, 0644) != 0) {
    const int error = errno;
    ::close(fd);
    return fail("chmod", error);
  }
  int write_error = 0;
  source([fd, &write_error](std::string_view piece) {
    if (write_error == 0) write_error = write_all(fd, piece);
  });
  if (const int error = write_error; error != 0) {
    ::close(fd);
    return fail("write", error);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    return fail("fsync", error);
  }
  if (::close(fd) != 0 && errno != EINTR) return fail("close", errno);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return fail("rename", errno);
  // The rename itself made durable; a failure here loses nothing already visible.
  const int directory_fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0) {
    ::fsync(directory_fd);
    ::close(directory_fd);
  }
  return std::nullopt;
}

}  // namespace uping::monitor
