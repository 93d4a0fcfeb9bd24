#pragma once
// Capabilities of this process: read them for the diagnosis, raise CAP_NET_RAW only for the
// moment a raw socket is opened, and drop everything before the first packet goes out.

#include <cstdint>
#include <optional>
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

constexpr bool holds(std::uint64_t set, int capability) noexcept {
  return ((set >> capability) & 1U) != 0;
}

// Parses the CapInh/CapPrm/CapEff/CapBnd/CapAmb lines of a /proc/<pid>/status text.
// Empty when any of the first four is missing or not hexadecimal (CapAmb is optional: old kernels).
std::optional<CapabilitySets> parse_proc_status(std::string_view status_text);

// This process's sets, from /proc/self/status.
std::optional<CapabilitySets> current();

// Makes CAP_NET_RAW effective when it is permitted but not effective (a `cap_net_raw=p` file
// capability). Returns whether it is effective afterwards.
bool raise_net_raw() noexcept;

// Clears every capability set and, for a set-user-ID binary, gives up the effective uid.
// Returns false (errno set) when the kernel refuses.
bool drop_all() noexcept;

}  // namespace uping::privileges
