#include "fping/targets.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

namespace uping::fping {
namespace {

constexpr std::size_t kNameBuffer = 256;  // fping's line, host and scratch buffers (MAX_TARGET_NAME_LEN + 1)

// sscanf's %s blanks.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// A piece as fping's C string functions see it (sscanf, strchr, strlen): up to its first NUL byte.
std::string_view c_string(std::string_view piece) { return piece.substr(0, piece.find('\0')); }

// The first word of a piece (sscanf "%s"); empty when there is none.
std::string_view first_word(std::string_view piece) {
  piece = c_string(piece);
  std::size_t begin = 0;
  while (begin < piece.size() && is_blank(piece[begin])) ++begin;
  std::size_t end = begin;
  while (end < piece.size() && !is_blank(piece[end])) ++end;
  return piece.substr(begin, end - begin);
}

bool has_two_words(std::string_view piece) {
  const std::string_view first = first_word(piece);
  if (first.empty()) return false;
  const auto rest = piece.substr(static_cast<std::size_t>(first.data() + first.size() - piece.data()));
  return !first_word(rest).empty();
}

// fping's strchr(line, '\n'): a newline after a NUL byte is not seen, and the next piece continues the line.
bool ends_line(std::string_view piece) { return c_string(piece).find('\n') != std::string_view::npos; }

std::string numeric_host(const sockaddr* address, socklen_t length) {
  char buffer[NI_MAXHOST];
  if (getnameinfo(address, length, buffer, sizeof buffer, nullptr, 0, NI_NUMERICHOST) != 0) return {};
  return buffer;
}

}  // namespace

void TargetFileReader::feed(std::string_view bytes) {
  if (too_long_) return;
  pending_.append(bytes);
  // fgets' pieces: up to 255 bytes, ending after a newline if one comes first.
  std::size_t at = 0;
  while (!too_long_) {
    const std::size_t limit = std::min(pending_.size() - at, kNameBuffer - 1);
    const std::size_t newline = std::string_view(pending_).substr(at, limit).find('\n');
    if (newline == std::string_view::npos && limit < kNameBuffer - 1) break;  // wait for more
    const std::size_t length = newline == std::string_view::npos ? limit : newline + 1;
    piece(std::string_view(pending_).substr(at, length));
    at += length;
  }
  pending_.erase(0, at);
}

void TargetFileReader::end() {
  if (!too_long_ && !pending_.empty()) piece(pending_);
  pending_.clear();
  if (in_line_ && !too_long_) end_line();
}

std::vector<std::string> TargetFileReader::take_names() { return std::exchange(names_, {}); }

void TargetFileReader::end_line() {
  in_line_ = false;
  if (!comment_) names_.push_back(std::move(host_));
  host_.clear();
}

void TargetFileReader::piece(std::string_view piece) {
  if (!in_line_) {
    const std::string_view word = first_word(piece);
    // A piece with no word is skipped alone: the rest of a long line is read as a line of its own.
    if (word.empty()) return;
    host_ = std::string(word);
    comment_ = host_[0] == '#';
    skip_ = comment_;
    if (!comment_ && !ends_line(piece) && c_string(piece).size() == kNameBuffer - 1) {
      // The word may go on in the next piece, unless it visibly ended in this one.
      skip_ = has_two_words(piece) || is_blank(piece[kNameBuffer - 2]);
    }
    in_line_ = true;
  } else if (!skip_) {
    // The line's first word went on past the piece: at most one more piece of it fits fping's buffer.
    skip_ = true;
    const std::string_view more = is_blank(piece[0]) ? std::string_view() : first_word(piece);
    if (!more.empty()) {
      if (kNameBuffer - host_.size() < more.size() + 1) {
        too_long_ = true;
        return;
      }
      host_ += more;
    }
  }
  if (ends_line(piece)) end_line();
}

TargetFileNames parse_target_file(std::string_view text) {
  TargetFileReader reader;
  reader.feed(text);
  reader.end();
  return {reader.take_names(), reader.too_long()};
}

Emission add_name(const FpingOptions& options, const std::string& name, TargetList& list) {
  Emission emitted;
  addrinfo hints{};
  hints.ai_socktype = SOCK_RAW;
  if (options.family == AddressFamily::ipv4) {
    hints.ai_family = AF_INET;
    hints.ai_protocol = IPPROTO_ICMP;
  } else if (options.family == AddressFamily::ipv6) {
    hints.ai_family = AF_INET6;
    hints.ai_protocol = IPPROTO_ICMPV6;
  } else {
    // One answer per address: any family, as fping asks.
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
  }
  addrinfo* found = nullptr;
  if (const int error = getaddrinfo(name.c_str(), nullptr, &hints, &found); error != 0) {
    ++list.unknown_addresses;
    return name_error(options, name, gai_strerror(error));
  }
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, &freeaddrinfo);

  // -n looks a name up only for a numeric operand; -d always does.
  bool reverse = options.rdns;
  if (options.name) {
    addrinfo numeric_hints = hints;
    numeric_hints.ai_flags = AI_NUMERICHOST;
    addrinfo* numeric = nullptr;
    if (getaddrinfo(name.c_str(), nullptr, &numeric_hints, &numeric) == 0) {
      reverse = true;
      freeaddrinfo(numeric);
    }
  }
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    std::string shown = name;
    if (reverse) {
      char host[NI_MAXHOST];
      if (getnameinfo(entry->ai_addr, entry->ai_addrlen, host, sizeof host, nullptr, 0, 0) == 0) shown = host;
    }
    const std::string address = numeric_host(entry->ai_addr, entry->ai_addrlen);
    if (options.show_address) {
      if (address.empty()) {
        if (!options.quiet) {
          emitted.push_back({Stream::err, name + ": can't forward-lookup address (" + gai_strerror(EAI_FAIL) + ")\n"});
        }
        continue;
      }
      shown = (options.name || options.rdns) ? shown + " (" + address + ")" : address;
    }
    SocketAddress target;
    std::memcpy(&target.storage, entry->ai_addr, entry->ai_addrlen);
    target.length = entry->ai_addrlen;
    list.shown.push_back({shown, address, name});
    list.addresses.push_back(target);
    if (!options.multi_interface) break;
  }
  return emitted;
}

}  // namespace uping::fping
