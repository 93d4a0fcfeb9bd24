#pragma once
// Why no ICMP socket could be opened, and what fixes it. Gathering the facts touches the system
// (/proc, getgroups); turning them into text is pure and unit-tested.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "system/privileges.hpp"
#include "uping/icmp.hpp"
#include "uping/socket_types.hpp"

namespace uping {

struct GroupRange {
  std::int64_t low = 1;
  std::int64_t high = 0;
  bool contains(std::int64_t gid) const noexcept { return low <= gid && gid <= high; }
};

struct PermissionFacts {
  std::vector<SocketAttempt> attempts;
  std::optional<GroupRange> ping_group_range;  // empty when unreadable
  uid_t uid = 0;                               // real ids
  gid_t gid = 0;
  uid_t euid = 0;  // effective ids: differ from the real ones in a set-user-ID or set-group-ID copy
  gid_t egid = 0;  // before the privilege drop
  std::vector<gid_t> supplementary_groups;
  std::optional<privileges::CapabilitySets> capabilities;
};

// Parses the two numbers of /proc/sys/net/ipv4/ping_group_range ("1\t0\n").
std::optional<GroupRange> parse_group_range(std::string_view text);

// The facts of this process, with the attempts already made.
PermissionFacts gather_permission_facts(std::vector<SocketAttempt> attempts);

// A few lines for stderr, each prefixed with the program name: what was tried and why it
// failed, the sysctl, the caller's ids, CAP_NET_RAW, and the fix that fits: the sysctl when the
// range refused the caller, the filter when a seccomp profile or security module refused a
// datagram socket the range admits, dropping -e 0 when identifier 0 forced a raw socket.
std::string explain_socket_failure(std::string_view program, const PermissionFacts& facts);

std::string_view socket_mode_name(SocketMode mode) noexcept;  // "SOCK_DGRAM" / "SOCK_RAW"

// One line for a target whose family has no socket, in the multi-target modes: "no ICMP socket
// (SOCK_DGRAM Permission denied, SOCK_RAW Operation not permitted); run uping --diagnose".
std::string brief_socket_failure(const std::vector<SocketAttempt>& attempts, icmp::Family family);

// `uping --diagnose`: what this process can do right now, and how to fix what it cannot.
struct FamilyCapability {
  icmp::Family family = icmp::Family::v4;
  int datagram_error = 0;  // errno of socket(SOCK_DGRAM); 0 when it opened
  int raw_error = 0;       // errno of socket(SOCK_RAW); 0 when it opened
};

struct DiagnosisFacts {
  PermissionFacts permissions;
  std::vector<FamilyCapability> families;
  std::optional<std::string> uid_map;       // /proc/self/uid_map, whitespace collapsed
  std::optional<std::string> drop_failure;  // privileges::drop_all's refusal: a fatal error
};

// A user namespace maps fewer ids than the initial namespace's "0 0 4294967295".
bool in_user_namespace(const std::optional<std::string>& uid_map);

// Opens (and closes) each kind of socket for both families, drops every privilege, and gathers
// the rest of the facts; the ids and capability sets are those the process started with.
DiagnosisFacts gather_diagnosis_facts();

// Unprivileged ping works when a datagram socket opens for every family the kernel supports.
bool can_ping_unprivileged(const DiagnosisFacts& facts);

// The report for stdout: sockets, sysctl, identity, capabilities, namespace, verdict, and the
// fix for Linux, Docker, Kubernetes, containerd, CRI-O and podman when something fails.
std::string diagnosis_report(const DiagnosisFacts& facts);

}  // namespace uping
