#include "cli/targets.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace uping::targets {
namespace {

constexpr std::string_view kBlanks = " \t\r\n\v\f";

unsigned address_bits(icmp::Family family) { return family == icmp::Family::v4 ? 32 : 128; }

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}


std::string count_text(WideCount count) {
  // Range sizes beyond 64 bits only occur for refused IPv6 blocks: say so instead of printing them.
  if (count > WideCount{UINT64_MAX}) return "more than 18446744073709551615";
  return std::to_string(static_cast<std::uint64_t>(count));
}

std::optional<RangeError> check_size(std::string_view spec, WideCount size) {
  if (size <= kMaxRangeSize) return std::nullopt;
  return RangeError{std::string(spec) + ": too many addresses (" + count_text(size) + "), at most " +
                    count_text(kMaxRangeSize) + " per range"};
}

std::variant<AddressRange, RangeError> parse_cidr(std::string_view spec, std::string_view address_text,
                                                  std::string_view prefix_text) {
  const auto base = parse_address(address_text);
  if (!base) return RangeError{std::string(spec) + ": not an IPv4 or IPv6 address before '/'"};
  const unsigned bits = address_bits(base->family);
  const auto prefix = parse_prefix_length(prefix_text);
  if (!prefix || *prefix > bits) {
    return RangeError{std::string(spec) + ": prefix length must be 0 to " + std::to_string(bits)};
  }
  const unsigned host_bits = bits - *prefix;
  // Sizes are computed before any shift by 128 could happen: /0 of IPv6 is refused as too large.
  if (host_bits >= 64) return *check_size(spec, ~WideCount{0});
  const WideCount block = WideCount{1} << host_bits;
  const WideCount network = base->value & ~(block - 1) &
                            (base->family == icmp::Family::v4 ? WideCount{0xFFFFFFFFU} : ~WideCount{0});
  AddressRange range{{base->family, network}, {base->family, network + block - 1}};
  if (base->family == icmp::Family::v4 && host_bits >= 2) {
    // Network and broadcast addresses are not hosts.
    range.first.value += 1;
    range.last.value -= 1;
  }
  if (auto refused = check_size(spec, range.size())) return *refused;
  return range;
}

std::variant<AddressRange, RangeError> parse_start_end(std::string_view spec, std::size_t dash) {
  const auto first = parse_address(trim(spec.substr(0, dash)));
  const auto last = parse_address(trim(spec.substr(dash + 1)));
  if (!first || !last) {
    return RangeError{std::string(spec) + ": expected START-END with two IPv4 or two IPv6 addresses"};
  }
  if (first->family != last->family) {
    return RangeError{std::string(spec) + ": start and end are not of the same address family"};
  }
  if (last->value < first->value) return RangeError{std::string(spec) + ": end is before start"};
  AddressRange range{*first, *last};
  if (auto refused = check_size(spec, range.size())) return *refused;
  return range;
}

}  // namespace

std::optional<IpAddress> parse_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);  // inet_pton needs a terminated string
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    return IpAddress{icmp::Family::v4, ntohl(v4.s_addr)};
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    WideCount value = 0;
    for (const std::uint8_t byte : v6.s6_addr) value = (value << 8) | byte;
    return IpAddress{icmp::Family::v6, value};
  }
  return std::nullopt;
}

std::string to_string(const IpAddress& address) {
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (address.family == icmp::Family::v4) {
    in_addr v4{htonl(static_cast<std::uint32_t>(address.value))};
    inet_ntop(AF_INET, &v4, buffer.data(), buffer.size());
  } else {
    in6_addr v6{};
    WideCount value = address.value;
    for (int i = 15; i >= 0; --i) {
      v6.s6_addr[i] = static_cast<std::uint8_t>(value & 0xFF);
      value >>= 8;
    }
    inet_ntop(AF_INET6, &v6, buffer.data(), buffer.size());
  }
  return buffer.data();
}

SocketAddress to_socket_address(const IpAddress& address) {
  SocketAddress socket_address;
  if (address.family == icmp::Family::v4) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(static_cast<std::uint32_t>(address.value));
    std::memcpy(&socket_address.storage, &sin, sizeof sin);
    socket_address.length = sizeof sin;
  } else {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    WideCount value = address.value;
    for (int i = 15; i >= 0; --i) {
      sin6.sin6_addr.s6_addr[i] = static_cast<std::uint8_t>(value & 0xFF);
      value >>= 8;
    }
    std::memcpy(&socket_address.storage, &sin6, sizeof sin6);
    socket_address.length = sizeof sin6;
  }
  return socket_address;
}

std::optional<IpAddress> from_socket_address(const SocketAddress& address) {
  if (address.storage.ss_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, &address.storage, sizeof sin);
    return IpAddress{icmp::Family::v4, ntohl(sin.sin_addr.s_addr)};
  }
  if (address.storage.ss_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, &address.storage, sizeof sin6);
    if (sin6.sin6_scope_id != 0) return std::nullopt;  // a link-local scope does not fit the integer
    WideCount value = 0;
    for (const std::uint8_t byte : sin6.sin6_addr.s6_addr) value = (value << 8) | byte;
    return IpAddress{icmp::Family::v6, value};
  }
  return std::nullopt;
}

std::variant<AddressRange, RangeError> parse_range(std::string_view spec) {
  const std::string_view text = trim(spec);
  if (text.empty()) return RangeError{"empty range"};
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    return parse_cidr(text, text.substr(0, slash), text.substr(slash + 1));
  }
  // IPv6 addresses have no '-', so the dash always separates start and end.
  if (const auto dash = text.find('-'); dash != std::string_view::npos) return parse_start_end(text, dash);
  return RangeError{std::string(text) + ": expected a CIDR block (198.51.100.0/24) or START-END"};
}

std::optional<IpAddress> RangeWalker::next() noexcept {
  if (done_) return std::nullopt;
  const IpAddress current{range_.first.family, next_};
  if (next_ == range_.last.value) {
    done_ = true;
  } else {
    ++next_;
  }
  return current;
}

void LineReader::refuse(std::string_view why) const {
  throw InputError(source_ + ": line " + std::to_string(line_number_) + ": " + std::string(why));
}

std::optional<std::string> LineReader::next() {
  std::streambuf* const buffer = in_.rdbuf();
  if (buffer == nullptr) return std::nullopt;
  using traits = std::char_traits<char>;
  // Byte by byte from the stream's buffer (no std::getline: it would take a line of any length).
  while (!traits::eq_int_type(buffer->sgetc(), traits::eof())) {
    ++line_number_;
    line_.clear();
    for (auto c = buffer->sbumpc(); !traits::eq_int_type(c, traits::eof()) && c != '\n'; c = buffer->sbumpc()) {
      if (c == '\0') refuse("a NUL byte");
      if (line_.size() == kMaxLineBytes) refuse("longer than " + std::to_string(kMaxLineBytes) + " bytes");
      line_.push_back(traits::to_char_type(c));
    }
    const std::string_view text = trim(line_);
    if (text.empty() || text.front() == '#') continue;
    const std::string_view word = text.substr(0, text.find_first_of(kBlanks));
    if (word.size() > kMaxTargetBytes) refuse("a target longer than " + std::to_string(kMaxTargetBytes) + " bytes");
    return std::string(word);
  }
  return std::nullopt;
}

TargetFile::TargetFile(TargetFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), owned_(std::exchange(other.owned_, false)), name_(std::move(other.name_)) {}

TargetFile& TargetFile::operator=(TargetFile&& other) noexcept {
  if (this != &other) {
    if (owned_) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = std::exchange(other.owned_, false);
    name_ = std::move(other.name_);
  }
  return *this;
}

TargetFile::~TargetFile() {
  if (owned_) ::close(fd_);
}

std::variant<TargetFile, std::string> open_target_file(const std::string& path) {
  TargetFile opened;
  struct stat status {};
  if (path == "-") {
    opened.name_ = "standard input";
    // A closed stdin holds main's placeholder, open for writing only: reading it would look empty.
    const int flags = ::fcntl(STDIN_FILENO, F_GETFL);
    if (flags == -1 || (flags & O_ACCMODE) == O_WRONLY) return std::string("standard input: not open for reading");
    if (::fstat(STDIN_FILENO, &status) == 0 && S_ISDIR(status.st_mode)) {
      return std::string("standard input: ") + std::strerror(EISDIR);
    }
    opened.fd_ = STDIN_FILENO;
    return opened;
  }
  opened.name_ = path;
  // A directory opens, and then reads as an empty file: say what it is instead.
  if (::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) return path + ": " + std::strerror(EISDIR);
  // Without blocking: a FIFO with no writer yet would hold the event loop's thread here.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd == -1) return path + ": " + std::strerror(errno);
  opened.fd_ = fd;
  opened.owned_ = true;
  return opened;
}

FdReadBuffer::FdReadBuffer(int fd, std::string name) : fd_(fd), name_(std::move(name)), buffer_(kMaxLineBytes) {}

FdReadBuffer::int_type FdReadBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  for (;;) {
    // Waited for first: a FIFO opened without blocking reads as ended until a writer comes.
    pollfd wanted{fd_, POLLIN, 0};
    if (::poll(&wanted, 1, -1) == -1 && errno == EINTR) continue;
    const ssize_t got = ::read(fd_, buffer_.data(), buffer_.size());
    if (got > 0) {
      setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
      return traits_type::to_int_type(buffer_.front());
    }
    if (got == 0) return traits_type::eof();
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    throw InputError(name_ + ": " + std::strerror(errno));
  }
}

LineSource::Take StreamLines::take() {
  auto line = reader_.next();
  if (!line) return {};
  return {Kind::target, std::move(*line)};
}

TargetStream::TargetStream(std::vector<std::string> names, std::vector<AddressRange> ranges, std::istream* lines,
                           std::string lines_source)
    : names_(std::move(names)), ranges_(std::move(ranges)) {
  if (lines != nullptr) lines_ = std::make_unique<StreamLines>(*lines, std::move(lines_source));
}

void TargetStream::read_lines_from(std::unique_ptr<LineSource> lines) { lines_ = std::move(lines); }

std::optional<TargetText> TargetStream::next() {
  waiting_ = false;
  if (next_name_ < names_.size()) {
    std::string& name = names_[next_name_++];
    auto address = parse_address(name);
    return TargetText{std::move(name), address};
  }
  while (range_index_ < ranges_.size()) {
    if (!walker_) walker_.emplace(ranges_[range_index_]);
    if (auto address = walker_->next()) return TargetText{to_string(*address), address};
    walker_.reset();
    ++range_index_;
  }
  if (lines_) {
    LineSource::Take took;
    try {
      took = lines_->take();
    } catch (const InputError& error) {
      // Nothing further is read; what was taken before is still probed and accounted for.
      input_error_ = error.what();
      lines_.reset();
      return std::nullopt;
    }
    if (took.kind == LineSource::Kind::target) {
      auto address = parse_address(took.target);
      return TargetText{std::move(took.target), address};
    }
    if (took.kind == LineSource::Kind::pending) {
      waiting_ = true;
      return std::nullopt;
    }
    lines_.reset();
  }
  return std::nullopt;
}

bool TargetStream::ready_now() const {
  if (next_name_ < names_.size() || range_index_ < ranges_.size() || !lines_) return true;
  return lines_->has_ready();
}

Untaken TargetStream::untaken() const {
  Untaken left;
  left.names = names_.size() - next_name_;
  for (std::size_t i = range_index_; i < ranges_.size(); ++i) {
    left.range_addresses += (i == range_index_ && walker_) ? walker_->remaining() : ranges_[i].size();
  }
  left.file_left = lines_ && !lines_->at_end();
  return left;
}

std::optional<unsigned> parse_prefix_length(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

std::variant<std::vector<AddressRange>, RangeError> parse_generate_options(const std::vector<std::string>& specs,
                                                                           const std::vector<std::string>& targets,
                                                                           std::optional<icmp::Family> family) {
  std::vector<AddressRange> ranges;
  for (const auto& spec : specs) {
    auto range = parse_range(spec);
    if (auto* error = std::get_if<RangeError>(&range)) return RangeError{"-g " + error->message};
    const auto& parsed = std::get<AddressRange>(range);
    if (family && parsed.first.family != *family) {
      return RangeError{"-g " + spec + ": not of the family asked for with -4 / -6"};
    }
    ranges.push_back(parsed);
  }
  for (const auto& target : targets) {
    if (target.find('/') != std::string::npos && std::holds_alternative<AddressRange>(parse_range(target))) {
      return RangeError{target + ": a range needs -g (-g " + target + ")"};
    }
  }
  return ranges;
}

}  // namespace uping::targets
