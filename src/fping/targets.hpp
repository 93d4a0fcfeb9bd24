#pragma once
// fping's targets: the names of a -f file or standard input (fping's first-word-per-line rules,
// pure), and each name turned into targets as fping's add_name does (getaddrinfo in the -4 / -6
// family, -m for every address, -n / -d / -A for what is shown). Resolution runs after the
// privilege drop.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fping/book.hpp"
#include "fping/options.hpp"
#include "uping/address.hpp"

namespace uping::fping {

// A -f file's (or standard input's) names as fping reads them: 255-byte line pieces (its fgets
// buffer), the first word of each line, `#` starts a comment line, blank lines skipped.
struct TargetFileNames {
  std::vector<std::string> names;
  bool too_long = false;  // a first word longer than 255 bytes: "target name too long", exit 1,
                          // after the names before it
};

// The same reading, fed as the bytes arrive: it keeps at most one piece and one name, so a file or a
// standard input that never ends (/dev/zero, `yes '#'`) costs no memory but the names it gives.
class TargetFileReader {
 public:
  void feed(std::string_view bytes);  // more of the file; once too_long, ignored
  void end();                         // the file ended: its last piece and name
  // The names complete so far (taken: the reader forgets them), and whether reading must stop.
  std::vector<std::string> take_names();
  bool too_long() const noexcept { return too_long_; }

 private:
  void piece(std::string_view piece);
  void end_line();

  std::string pending_;  // bytes not yet a whole piece
  std::vector<std::string> names_;
  std::string host_;      // the name of the line being read
  bool in_line_ = false;  // host_ started, the line's newline not seen yet
  bool comment_ = false;
  bool skip_ = false;  // the rest of the line adds nothing to host_
  bool too_long_ = false;
};

// A whole file's text at once.
TargetFileNames parse_target_file(std::string_view text);

// Every target of a run, in fping's order, and what was printed on the way.
struct TargetList {
  std::vector<Target> shown;             // the Book's targets
  std::vector<SocketAddress> addresses;  // where each one's probes go
  std::size_t unknown_addresses = 0;     // names that did not resolve
};

// add_name: appends the targets `name` gives to `list`; returns what fping prints meanwhile (a
// name that does not resolve, an address -A cannot print).
Emission add_name(const FpingOptions& options, const std::string& name, TargetList& list);

}  // namespace uping::fping
