#pragma once
// Capabilities and ids of this process: read them for the diagnosis, raise CAP_NET_RAW only for
// the moment a raw socket is opened, and drop every privilege once the sockets are open.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace uping::privileges {

inline constexpr int kCapNetRaw = 13;  // CAP_NET_RAW in <linux/capability.h>

struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
  std::uint64_t bounding = 0;
  std::uint64_t ambient = 0;
};

constexpr bool holds(std::uint64_t set, int capability) noexcept { return ((set >> capability) & 1U) != 0; }

// Parses the CapInh/CapPrm/CapEff/CapBnd/CapAmb lines of a /proc/<pid>/status text.
// Empty when any of the first four is missing or not hexadecimal (CapAmb is optional: old kernels).
std::optional<CapabilitySets> parse_proc_status(std::string_view status_text);

// This process's sets, from /proc/self/status.
std::optional<CapabilitySets> current();

// Makes CAP_NET_RAW effective when it is permitted but not effective (a `cap_net_raw=p` file
// capability). Returns whether it is effective afterwards.
bool raise_net_raw() noexcept;

// Called by every face once its sockets are open, before it opens, reads or resolves anything
// the caller named: the caller's real gid and uid in every slot (a set-group-ID or set-user-ID
// copy gives up its effective ids; real root stays uid 0), the effective, permitted, inheritable
// and ambient capability sets emptied, the bounding set too where CAP_SETPCAP allows it. Refused
// when more than one thread runs, since capability sets belong to each thread. The result is
// checked with getresuid/getresgid/capget; empty on success, else what failed ("setresuid:
// Operation not permitted") — a fatal error for the caller, never to be ignored.
std::optional<std::string> drop_all();

}  // namespace uping::privileges
