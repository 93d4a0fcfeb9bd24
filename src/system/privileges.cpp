#include "system/privileges.hpp"

#include <dirent.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

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

inline constexpr int kCapSetpcap = 8;  // CAP_SETPCAP in <linux/capability.h>

std::string failure(std::string_view call) { return fmt::format("{}: {}", call, std::strerror(errno)); }

// Threads of this process, from /proc/self/task; empty where /proc is not mounted (an empty
// image), where the check cannot be made: uping itself starts no thread before the drop.
std::optional<std::size_t> thread_count() {
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return std::nullopt;
  std::size_t count = 0;
  while (const dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(tasks);
  return count;
}

// What the kernel did, not what it said: every id the caller's, every capability set empty.
std::optional<std::string> verify_dropped(uid_t uid, gid_t gid) {
  uid_t ruid = 0, euid = 0, suid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0;
  if (getresuid(&ruid, &euid, &suid) != 0) return failure("getresuid");
  if (getresgid(&rgid, &egid, &sgid) != 0) return failure("getresgid");
  if (ruid != uid || euid != uid || suid != uid) {
    return fmt::format("uids are {} {} {} after setresuid({})", ruid, euid, suid, uid);
  }
  if (rgid != gid || egid != gid || sgid != gid) {
    return fmt::format("gids are {} {} {} after setresgid({})", rgid, egid, sgid, gid);
  }
  CapData left{};
  if (!get_caps(left)) return failure("capget");
  // The kernel keeps the ambient set within permitted and inheritable: both empty, so is it.
  for (const auto& word : left) {
    if (word.effective != 0 || word.permitted != 0 || word.inheritable != 0) {
      return std::string("capabilities still held after capset");
    }
  }
  return std::nullopt;
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

std::optional<std::string> drop_all() {
  // Capability sets belong to each thread: a thread started earlier would keep them.
  if (const auto threads = thread_count(); threads && *threads != 1) {
    return fmt::format("{} threads are running (capability sets are per thread)", *threads);
  }
  CapData held{};
  if (!get_caps(held)) return failure("capget");
  // The bounding set limits what an exec could regain; emptying it needs CAP_SETPCAP, which only
  // root or a set-user-ID root copy holds, and uping never execs: done where it can be, not required.
  if (holds(held[0].effective, kCapSetpcap)) {
    // Dropping one already out of the set succeeds; EINVAL marks the kernel's last capability.
    for (int capability = 0; capability < 64; ++capability) {
      if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) == 0) continue;
      if (errno == EINVAL && capability > 0) break;
      return failure("PR_CAPBSET_DROP");
    }
  }
  // EINVAL: a kernel before 4.3, which has no ambient set.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return failure("PR_CAP_AMBIENT_CLEAR_ALL");
  }
  // A set-group-ID or set-user-ID copy: the caller's real ids for all three slots, group first
  // (changing it may need the privilege the uid change gives up). Real root stays uid 0.
  const gid_t gid = getgid();
  const uid_t uid = getuid();
  if (setresgid(gid, gid, gid) != 0) return failure("setresgid");
  if (setresuid(uid, uid, uid) != 0) return failure("setresuid");
  CapData none{};
  if (!set_caps(none)) return failure("capset");
  return verify_dropped(uid, gid);
}

}  // namespace uping::privileges
