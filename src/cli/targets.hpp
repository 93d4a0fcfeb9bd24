#pragma once
// Where the targets of a sweep come from: address ranges (CIDR or start-end), files of one target
// per line, and the command line. Pure but for open_target_file and FdReadBuffer: addresses are
// parsed and generated here, lines come from any std::istream. Everything streams: a /8 is never held in
// memory, only its next address, and a file only its current line (at most kMaxLineBytes).

#include <array>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "system/resolve.hpp"
#include "uping/icmp.hpp"
#include "uping/stats.hpp"

namespace uping::targets {

// An IPv4 or IPv6 address as an integer (IPv4 in the low 32 bits), for range arithmetic.
struct IpAddress {
  icmp::Family family = icmp::Family::v4;
  WideCount value = 0;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

std::optional<IpAddress> parse_address(std::string_view text);
std::string to_string(const IpAddress& address);
SocketAddress to_socket_address(const IpAddress& address);
std::optional<IpAddress> from_socket_address(const SocketAddress& address);

// One -g argument: "198.51.100.0/24", "2001:db8::/120" or "198.51.100.10-198.51.100.20".
// A CIDR block of IPv4 with a prefix of 30 or less leaves out its network and broadcast
// addresses, as fping does (a /31 keeps both: RFC 3021; a /32 is its one address); IPv6 has no
// broadcast, so its blocks keep every address. Host bits after the prefix are ignored
// ("198.51.100.7/24" is the /24), as fping does.
struct AddressRange {
  IpAddress first;
  IpAddress last;  // inclusive
  WideCount size() const noexcept { return last.value - first.value + 1; }
};

// A range larger than this is refused: it would take hours to probe and is most likely a typo
// (/8 is the largest IPv4 block accepted, /104 the largest IPv6 one).
inline constexpr WideCount kMaxRangeSize = WideCount{1} << 24;

// A decimal prefix length ("24") with nothing else around it, at most three digits; the caller
// checks it against the family's bits.
std::optional<unsigned> parse_prefix_length(std::string_view text);

struct RangeError {
  std::string message;  // "198.51.100.0/33: prefix length must be 0 to 32"
};

// The -g arguments of a command line (sweep, --monitor), each of the family -4 / -6 asked for, and
// its positional targets checked for a range typed without -g: the ranges, or the one-line refusal.
std::variant<std::vector<AddressRange>, RangeError> parse_generate_options(const std::vector<std::string>& specs,
                                                                           const std::vector<std::string>& targets,
                                                                           std::optional<icmp::Family> family);

std::variant<AddressRange, RangeError> parse_range(std::string_view spec);

// The addresses of a range in order, one at a time.
class RangeWalker {
 public:
  explicit RangeWalker(const AddressRange& range) : range_(range), next_(range.first.value) {}
  std::optional<IpAddress> next() noexcept;
  WideCount remaining() const noexcept { return done_ ? 0 : range_.last.value - next_ + 1; }

 private:
  AddressRange range_;
  WideCount next_;
  bool done_ = false;
};

// A line of a target file, comments included, is read up to this many bytes: a file with no
// newline (/dev/zero, a binary) must not grow memory without bound.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;
// The longest host name DNS allows (RFC 1035, without the final dot): a longer target is a mistake.
inline constexpr std::size_t kMaxTargetBytes = 253;

// A target file that cannot be used, one line: "<file>: line 3: a NUL byte". The line itself is
// never quoted (it may be megabytes of anything).
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One target per line: surrounding blanks are trimmed; empty lines and lines starting with '#'
// are skipped; anything after the first blank is ignored (fping reads the first word too).
// `source` names the input in errors.
class LineReader {
 public:
  explicit LineReader(std::istream& in, std::string source = "input") : in_(in), source_(std::move(source)) {}
  // The next target; empty at the end. Throws InputError for a line longer than kMaxLineBytes, a
  // NUL byte, or a target longer than kMaxTargetBytes.
  std::optional<std::string> next();
  std::uint64_t line_number() const noexcept { return line_number_; }

 private:
  [[noreturn]] void refuse(std::string_view why) const;

  std::istream& in_;
  std::string source_;
  std::string line_;  // reused: at most kMaxLineBytes
  std::uint64_t line_number_ = 0;
};

// A sweep's --file, open for reading: the file's descriptor, or standard input's for "-" (never
// closed). Move-only: it closes its file when it goes.
class TargetFile {
 public:
  TargetFile() = default;
  TargetFile(TargetFile&& other) noexcept;
  TargetFile& operator=(TargetFile&& other) noexcept;
  ~TargetFile();
  int fd() const noexcept { return fd_; }
  const std::string& name() const noexcept { return name_; }

 private:
  friend std::variant<TargetFile, std::string> open_target_file(const std::string& path);
  int fd_ = -1;
  bool owned_ = false;  // false for standard input
  std::string name_;    // "standard input" for "-"
};

// Opens --file's argument ("-": standard input) without blocking (a FIFO waits for its writer in
// FdReadBuffer, on the reader's thread). A directory, a file that cannot be opened, or a
// standard input that is closed is refused with one line: "<file>: Is a directory".
std::variant<TargetFile, std::string> open_target_file(const std::string& path);

// A stream buffer over a descriptor, read with read(2) (stdio would take EINTR or EIO for the end
// of the file): each read is waited for with poll() (a non-blocking descriptor, a FIFO with no
// writer yet), EINTR is retried, and any other error thrown as InputError "<name>: Input/output error".
class FdReadBuffer : public std::streambuf {
 public:
  FdReadBuffer(int fd, std::string name);

 protected:
  int_type underflow() override;

 private:
  int fd_;
  std::string name_;
  std::vector<char> buffer_;
};

// Where a file's targets come from when the stream asks: a LineReader at hand, or a reader
// thread's queue (target_reader.hpp), which may have nothing yet.
class LineSource {
 public:
  enum class Kind : std::uint8_t { target, pending, end };
  struct Take {
    Kind kind = Kind::end;
    std::string target;
  };
  virtual ~LineSource() = default;
  // Throws InputError where the file cannot be used, after every target before it.
  virtual Take take() = 0;
  // Whether take() would not say `pending`.
  virtual bool has_ready() const = 0;
  // Known to hold nothing more (end of file reached and every target taken), without asking.
  virtual bool at_end() const = 0;
};

// A LineSource reading an istream on the caller's thread (blocking: for files and tests).
class StreamLines final : public LineSource {
 public:
  StreamLines(std::istream& in, std::string source) : reader_(in, std::move(source)) {}
  Take take() override;
  bool has_ready() const override { return true; }
  bool at_end() const override { return false; }

 private:
  LineReader reader_;
};

// A target as it comes out of a source: the text (as typed, or generated) and, when it is an
// address already, that address (names are resolved by the caller).
struct TargetText {
  std::string text;
  std::optional<IpAddress> address;
};

// What a stream still holds, counted without reading any further: a run that stops early says
// what it never took (a range or a pipe may be endless, so the file is not read to the end).
struct Untaken {
  std::uint64_t names = 0;  // command-line targets
  WideCount range_addresses = 0;
  bool file_left = false;  // the file (or stdin) was not read to its end
  bool empty() const noexcept { return names == 0 && range_addresses == 0 && !file_left; }
};

// All of a sweep's sources in order: the command-line targets, then each range, then the file.
class TargetStream {
 public:
  // `lines_source` names the file in its errors (see LineReader).
  TargetStream(std::vector<std::string> names, std::vector<AddressRange> ranges, std::istream* lines,
               std::string lines_source = "input");
  // Lines to read after the other sources (replaces any given before).
  void read_lines_from(std::unique_ptr<LineSource> lines);
  // The next target; empty at the end, or when waiting() (the file has nothing yet: ask again).
  // A file that cannot be used ends the file source; input_error() then says why.
  std::optional<TargetText> next();
  bool waiting() const noexcept { return waiting_; }
  // Whether next() would not be waiting.
  bool ready_now() const;
  // "<file>: line 3: a NUL byte", once the file source ended on it.
  const std::optional<std::string>& input_error() const noexcept { return input_error_; }
  Untaken untaken() const;

 private:
  std::vector<std::string> names_;
  std::size_t next_name_ = 0;
  std::vector<AddressRange> ranges_;
  std::size_t range_index_ = 0;
  std::optional<RangeWalker> walker_;
  std::unique_ptr<LineSource> lines_;
  bool waiting_ = false;
  std::optional<std::string> input_error_;
};

}  // namespace uping::targets
