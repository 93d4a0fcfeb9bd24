#include "uping/privileges.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace uping::privileges {
namespace {

std::optional<std::uint64_t> hex_field(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while ((at = text.find(key, at)) != std::string_view::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    at += key.size();
    if (!line_start) continue;
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
    std::uint64_t value = 0;
    const char* first = text.data() + at;
    const char* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, value, 16);
    if (ec != std::errc{} || end == first) return std::nullopt;
    if (end != last && *end != '\n') return std::nullopt;
    return value;
  }
  return std::nullopt;
}

// The raw capget/capset interface (version 3: two 32-bit words per set), so that uping needs
// no libcap at run time and can be linked statically.
using CapData = std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3>;

bool get_caps(CapData& data) noexcept {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &header, data.data()) == 0;
}

bool set_caps(CapData& data) noexcept {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capset, &header, data.data()) == 0;
}

}  // namespace

std::optional<CapabilitySets> parse_proc_status(std::string_view status_text) {
  const auto inheritable = hex_field(status_text, "CapInh:");
  const auto permitted = hex_field(status_text, "CapPrm:");
  const auto effective = hex_field(status_text, "CapEff:");
  const auto bounding = hex_field(status_text, "CapBnd:");
  if (!inheritable || !permitted || !effective || !bounding) return std::nullopt;
  CapabilitySets sets;
  sets.inheritable = *inheritable;
  sets.permitted = *permitted;
  sets.effective = *effective;
  sets.bounding = *bounding;
  sets.ambient = hex_field(status_text, "CapAmb:").value_or(0);
  return sets;
}

std::optional<CapabilitySets> current() {
  std::ifstream in("/proc/self/status");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_proc_status(text.str());
}

bool raise_net_raw() noexcept {
  CapData data{};
  if (!get_caps(data)) return false;
  constexpr std::uint32_t bit = 1U << kCapNetRaw;  // CAP_NET_RAW lives in the first word
  if ((data[0].permitted & bit) == 0) return false;
  if ((data[0].effective & bit) != 0) return true;
  data[0].effective |= bit;
  return set_caps(data);
}

bool drop_all() noexcept {
  // A set-user-ID root binary: return to the caller's uid first, which also clears the
  // capability sets the kernel granted for euid 0.
  if (geteuid() != getuid() && setuid(getuid()) != 0) return false;
  CapData data{};
  if (!get_caps(data)) return false;
  bool any = false;
  for (const auto& word : data) any = any || word.effective != 0 || word.permitted != 0 || word.inheritable != 0;
  if (!any) return true;
  CapData none{};
  return set_caps(none);
}

}  // namespace uping::privileges
