#pragma once
// Name resolution as iputils does it: the canonical name for the header, reverse lookups for
// reply lines unless numeric output is asked for or the target was typed as an address.

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "uping/address.hpp"
#include "uping/icmp.hpp"

namespace uping {

// One answer of getaddrinfo as iputils' -v lists it ("ai->ai_family: ..., ai->ai_canonname: '...'").
struct AddrinfoEntry {
  icmp::Family family = icmp::Family::v4;
  std::string canonical_name;  // empty when the answer carries none (all but the first)
};

struct Target {
  SocketAddress address;
  std::string numeric;       // "127.0.0.1", "::1"
  std::string display_name;  // IPv4: the canonical name unless typed as an address; IPv6: as typed
  bool typed_as_address = false;
  std::vector<AddrinfoEntry> seen;  // the answers looked at, the chosen one last
};

struct ResolveError {
  std::string message;              // "<host>: Name or service not known", without the program prefix
  std::string reason;               // "Name or service not known": for lines that name the target already
  std::vector<AddrinfoEntry> seen;  // answers of the other family, when that was the failure
};

// Both families are asked for and the first answer of `family` (if given) is taken, as iputils
// does: a scoped link-local address keeps its scope, "-4 ::ffff:a.b.c.d" is refused.
std::variant<Target, ResolveError> resolve_target(const std::string& host, std::optional<icmp::Family> family);
// The same for a numeric address (scope ids included), which never waits on a name server;
// nothing when `host` is not one.
std::optional<std::variant<Target, ResolveError>> resolve_numeric(const std::string& host,
                                                                  std::optional<icmp::Family> family);

// glibc needs the user's character set (LC_CTYPE) to turn an IDN name into ASCII (AI_IDN), and
// uping needs it for nothing else: it is loaded only when a name may need it (one of `names` is
// not ASCII, or names will come from elsewhere, a --file), so a plain ping maps no locale files
// (156 KiB resident). Each face calls this once, after the privilege drop (the locale files the
// caller's environment names are read as the caller) and before any resolver thread starts
// (setlocale is not thread-safe).
void load_user_charset_if_needed(const std::vector<std::string>& names, bool more_names_to_come);

std::string numeric_host(const SocketAddress& address);

// Replaces bytes that could steer a terminal (control characters, DEL) with '?': a reverse
// lookup answer comes from the network.
std::string printable(std::string_view untrusted);

// Formats reply sources: "name (addr)" when reverse lookups are on and give a name different
// from the address, else "addr". Remembers the last answer, so a steady stream of replies from
// one host costs one lookup.
class PeerNamer {
 public:
  explicit PeerNamer(bool reverse_lookups) : reverse_lookups_(reverse_lookups) {}
  const std::string& name(const SocketAddress& address);

 private:
  bool reverse_lookups_;
  std::optional<SocketAddress> cached_address_;
  std::string cached_name_;
};

}  // namespace uping
