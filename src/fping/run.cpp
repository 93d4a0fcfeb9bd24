#include "fping/run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "fping/engine.hpp"
#include "fping/targets.hpp"
#include "system/privileges.hpp"

namespace uping::fping {
namespace {

// Reads a -f file or standard input ("-") as fping does before its loop starts, each name added as
// soon as its line is read. Returns errno when the file cannot be opened, else 0.
template <typename AddName>
int read_target_file(const std::string& path, TargetFileReader& reader, AddName add) {
  const bool standard_input = path == "-";
  const int fd = standard_input ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char buffer[65536];
  while (!reader.too_long()) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // fping's fgets stops at an error as at the end
    reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
    for (const std::string& name : reader.take_names()) add(name);
  }
  if (!standard_input) ::close(fd);
  reader.end();
  for (const std::string& name : reader.take_names()) add(name);
  return 0;
}

}  // namespace

int run(const FpingOptions& options) {
  const std::string& program = options.program_name;
  EmissionWriter writer;
  if (options.icmp_timestamp) {
    // uping sends ICMP Echo on datagram sockets; ICMP Timestamp requests need a raw socket.
    writer.write({{Stream::err, program + ": --icmp-timestamp needs a raw socket, which this fping does not use\n"}});
    return kExitSystemCall;
  }
  Engine engine(options, writer);
  if (const auto failed = engine.open_sockets()) return *failed;
  // Nothing the caller named is opened, read or resolved with a privilege.
  if (const auto failure = privileges::drop_all()) {
    writer.write({{Stream::err, program + ": cannot drop privileges: " + *failure + "\n"}});
    return kExitSystemCall;
  }
  // fping's start_time: before the names are resolved, so -s's elapsed time includes them.
  const std::int64_t start = Engine::steady_now();

  TargetList targets;
  const auto add = [&](const std::string& name) { writer.write(add_name(options, name, targets)); };
  if (options.target_source == TargetSource::file) {
    TargetFileReader reader;
    if (const int error = read_target_file(options.file, reader, add); error != 0) {
      writer.write({{Stream::err, program + ": fopen : " + std::strerror(error) + "\n"}});
      return kExitSystemCall;
    }
    if (reader.too_long()) {
      writer.write({{Stream::err, program + ": target name too long\n"}});
      return kExitSomeUnreachable;
    }
  } else {
    for (const std::string& name : options.targets) add(name);
  }
  if (targets.shown.empty()) return targets.unknown_addresses > 0 ? kExitAddressNotFound : kExitSomeUnreachable;
  return engine.run(std::move(targets), start);
}

}  // namespace uping::fping
