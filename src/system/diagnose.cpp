#include "system/diagnose.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace uping {
namespace {

constexpr std::string_view kOpenRange = "0 2147483647";

// The kernel checks the effective gid and the supplementary groups.
bool any_gid_in(const PermissionFacts& facts, const GroupRange& range) {
  if (range.contains(facts.gid) || range.contains(facts.egid)) return true;
  return std::any_of(facts.supplementary_groups.begin(), facts.supplementary_groups.end(),
                     [&](gid_t g) { return range.contains(g); });
}

std::string describe_attempts(const PermissionFacts& facts) {
  std::string text;
  for (const auto& attempt : facts.attempts) {
    if (!text.empty()) text += "; ";
    text += fmt::format("{} {}: {}", attempt.family == icmp::Family::v4 ? "IPv4" : "IPv6",
                        socket_mode_name(attempt.mode), attempt.error == 0 ? "opened" : std::strerror(attempt.error));
  }
  return text;
}

std::string describe_ids(const PermissionFacts& facts) {
  std::string groups = std::to_string(facts.gid);
  for (gid_t g : facts.supplementary_groups) {
    if (g != facts.gid) groups += "," + std::to_string(g);
  }
  // A set-user-ID or set-group-ID copy runs with ids other than its caller's.
  const std::string euid = facts.euid == facts.uid ? "" : fmt::format(" (effective {})", facts.euid);
  const std::string egid = facts.egid == facts.gid ? "" : fmt::format(" (effective gid {})", facts.egid);
  return fmt::format("uid {}{}, gids {}{}", facts.uid, euid, groups, egid);
}

// A datagram socket refused although the range admits the caller (EACCES), or refused with EPERM,
// which the kernel's datagram policy never answers: a seccomp filter or a security module did.
bool datagram_filtered(int error, const PermissionFacts& facts) {
  const bool admitted = facts.ping_group_range && any_gid_in(facts, *facts.ping_group_range);
  return error == EPERM || (error == EACCES && admitted);
}

constexpr std::string_view kFilterOrigins =
    "docker run --security-opt seccomp=PROFILE; Kubernetes securityContext.seccompProfile; an AppArmor "
    "profile (network inet dgram, inet6 dgram) or SELinux policy (icmp_socket create)";

std::string describe_net_raw(const std::optional<privileges::CapabilitySets>& caps) {
  if (!caps) return "CAP_NET_RAW: unknown (/proc/self/status unreadable)";
  const auto yes_no = [](std::uint64_t set) { return privileges::holds(set, privileges::kCapNetRaw) ? "yes" : "no"; };
  return fmt::format("CAP_NET_RAW: effective {}, permitted {}, bounding {}", yes_no(caps->effective),
                     yes_no(caps->permitted), yes_no(caps->bounding));
}

std::optional<std::string> read_text_file(const char* path) {
  std::ifstream in{path};
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string collapse_blanks(std::string_view text) {
  std::string out;
  bool blank = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

std::string socket_state(int error) { return error == 0 ? "yes" : fmt::format("no ({})", std::strerror(error)); }

std::string yes_no(std::uint64_t set) { return privileges::holds(set, privileges::kCapNetRaw) ? "yes" : "no"; }

}  // namespace

std::string_view socket_mode_name(SocketMode mode) noexcept {
  return mode == SocketMode::datagram ? "SOCK_DGRAM" : "SOCK_RAW";
}

std::string brief_socket_failure(const std::vector<SocketAttempt>& attempts, icmp::Family family) {
  std::string reasons;
  for (const auto& attempt : attempts) {
    if (attempt.family != family || attempt.error == 0) continue;
    if (!reasons.empty()) reasons += ", ";
    reasons += fmt::format("{} {}", socket_mode_name(attempt.mode), std::strerror(attempt.error));
  }
  return fmt::format("no {} socket ({}); run uping --diagnose", family == icmp::Family::v4 ? "ICMP" : "ICMPv6",
                     reasons);
}

std::optional<GroupRange> parse_group_range(std::string_view text) {
  const auto skip_blanks = [&](std::size_t at) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n')) ++at;
    return at;
  };
  GroupRange range;
  std::size_t at = skip_blanks(0);
  for (std::int64_t* field : {&range.low, &range.high}) {
    const char* first = text.data() + at;
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), *field);
    if (ec != std::errc{} || end == first) return std::nullopt;
    at = skip_blanks(static_cast<std::size_t>(end - text.data()));
  }
  if (at != text.size()) return std::nullopt;
  return range;
}

PermissionFacts gather_permission_facts(std::vector<SocketAttempt> attempts) {
  PermissionFacts facts;
  facts.attempts = std::move(attempts);
  if (const auto text = read_text_file("/proc/sys/net/ipv4/ping_group_range")) {
    facts.ping_group_range = parse_group_range(*text);
  }
  facts.uid = getuid();
  facts.gid = getgid();
  facts.euid = geteuid();
  facts.egid = getegid();
  const int count = getgroups(0, nullptr);
  if (count > 0) {
    facts.supplementary_groups.resize(static_cast<std::size_t>(count));
    const int got = getgroups(count, facts.supplementary_groups.data());
    facts.supplementary_groups.resize(static_cast<std::size_t>(std::max(got, 0)));
  }
  facts.capabilities = privileges::current();
  return facts;
}

std::string explain_socket_failure(std::string_view program, const PermissionFacts& facts) {
  std::string out;
  const auto line = [&](const std::string& text) { out += fmt::format("{}: {}\n", program, text); };

  line("cannot open an ICMP socket: " + describe_attempts(facts));

  std::string range_text = "net.ipv4.ping_group_range unreadable";
  bool range_admits_caller = false;
  if (facts.ping_group_range) {
    const auto& range = *facts.ping_group_range;
    range_admits_caller = any_gid_in(facts, range);
    range_text = fmt::format("net.ipv4.ping_group_range is \"{} {}\" ({})", range.low, range.high,
                             range.low > range.high ? "no group may use ICMP datagram sockets"
                             : range_admits_caller  ? "includes one of your groups"
                                                    : "excludes all of your groups");
  }
  line(range_text + "; you are " + describe_ids(facts));
  line(describe_net_raw(facts.capabilities));

  const auto datagram_attempts = std::count_if(facts.attempts.begin(), facts.attempts.end(),
                                               [](const SocketAttempt& a) { return a.mode == SocketMode::datagram; });
  const bool filtered = std::any_of(facts.attempts.begin(), facts.attempts.end(), [&](const SocketAttempt& a) {
    return a.mode == SocketMode::datagram && datagram_filtered(a.error, facts);
  });
  const bool datagram_refused = std::any_of(facts.attempts.begin(), facts.attempts.end(), [](const SocketAttempt& a) {
    return a.mode == SocketMode::datagram && a.error == EACCES;
  });
  if (datagram_attempts == 0) {
    // Only -e 0 skips the datagram socket: the kernel picks a datagram socket's identifier itself.
    line("identifier 0 (-e 0) forces a raw socket: an ICMP datagram socket cannot send it");
    line(range_admits_caller
             ? "fix: leave out -e 0: your group may open an ICMP datagram socket, which needs no privilege"
             : "fix: leave out -e 0 and allow ICMP datagram sockets (sysctl net.ipv4.ping_group_range), "
               "or grant CAP_NET_RAW (docker run --cap-add NET_RAW)");
  } else if (filtered) {
    line(
        "the ICMP datagram socket was refused by a seccomp filter or a security module (AppArmor, SELinux), "
        "not by net.ipv4.ping_group_range");
    line(fmt::format("fix: allow socket(SOCK_DGRAM, IPPROTO_ICMP/IPPROTO_ICMPV6) where the filter comes from: {}",
                     kFilterOrigins));
  } else if (datagram_refused || !range_admits_caller) {
    // The sysctl is per network namespace: it must be set where uping runs (the container).
    line(fmt::format("fix: sysctl -w net.ipv4.ping_group_range=\"{}\" (in this network namespace)", kOpenRange));
    line(
        fmt::format("     docker run --sysctl net.ipv4.ping_group_range=\"{}\" ...; Kubernetes: "
                    "securityContext.sysctls [{{name: net.ipv4.ping_group_range, value: \"{}\"}}]",
                    kOpenRange, kOpenRange));
  } else {
    line(
        "fix: the kernel refused ICMP datagram sockets although your group is admitted; "
        "grant CAP_NET_RAW (docker run --cap-add NET_RAW) to use a raw socket");
  }
  return out;
}

bool in_user_namespace(const std::optional<std::string>& uid_map) { return uid_map && *uid_map != "0 0 4294967295"; }

DiagnosisFacts gather_diagnosis_facts() {
  DiagnosisFacts facts;
  // The capability sets as the process started, before the probing below raises or drops any.
  facts.permissions = gather_permission_facts({});
  for (const icmp::Family family : {icmp::Family::v4, icmp::Family::v6}) {
    const int domain = family == icmp::Family::v4 ? AF_INET : AF_INET6;
    const int protocol = family == icmp::Family::v4 ? static_cast<int>(IPPROTO_ICMP) : static_cast<int>(IPPROTO_ICMPV6);
    FamilyCapability capability{family, 0, 0};
    for (const SocketMode mode : {SocketMode::datagram, SocketMode::raw}) {
      if (mode == SocketMode::raw) privileges::raise_net_raw();
      const int fd = ::socket(
          domain,
          (mode == SocketMode::datagram ? static_cast<int>(SOCK_DGRAM) : static_cast<int>(SOCK_RAW)) | SOCK_CLOEXEC,
          protocol);
      (mode == SocketMode::datagram ? capability.datagram_error : capability.raw_error) = fd < 0 ? errno : 0;
      if (fd >= 0) ::close(fd);
    }
    facts.families.push_back(capability);
  }
  facts.drop_failure = privileges::drop_all();
  if (const auto map = read_text_file("/proc/self/uid_map")) facts.uid_map = collapse_blanks(*map);
  return facts;
}

bool can_ping_unprivileged(const DiagnosisFacts& facts) {
  bool any_supported = false;
  for (const auto& family : facts.families) {
    if (family.datagram_error == EAFNOSUPPORT) continue;  // the kernel lacks the family altogether
    any_supported = true;
    if (family.datagram_error != 0) return false;
  }
  return any_supported;
}

std::string diagnosis_report(const DiagnosisFacts& facts) {
  std::string out;
  for (const auto& family : facts.families) {
    out += fmt::format("{}: datagram socket (unprivileged): {}; raw socket: {}\n",
                       family.family == icmp::Family::v4 ? "IPv4" : "IPv6", socket_state(family.datagram_error),
                       socket_state(family.raw_error));
  }
  const auto& permissions = facts.permissions;
  if (permissions.ping_group_range) {
    const auto& range = *permissions.ping_group_range;
    out += fmt::format("net.ipv4.ping_group_range: \"{} {}\" ({}; it also governs ICMPv6, per network namespace)\n",
                       range.low, range.high,
                       range.low > range.high           ? "closed to every group"
                       : any_gid_in(permissions, range) ? "includes one of your groups"
                                                        : "excludes all of your groups");
  } else {
    out += "net.ipv4.ping_group_range: unreadable\n";
  }
  out += "identity: " + describe_ids(permissions) + "\n";
  if (permissions.capabilities) {
    const auto& caps = *permissions.capabilities;
    out += fmt::format("CAP_NET_RAW: effective {}, permitted {}, bounding {}, ambient {}\n", yes_no(caps.effective),
                       yes_no(caps.permitted), yes_no(caps.bounding), yes_no(caps.ambient));
    out += fmt::format("capability sets: effective {:016x}, permitted {:016x}, bounding {:016x}, ambient {:016x}\n",
                       caps.effective, caps.permitted, caps.bounding, caps.ambient);
  } else {
    out += "CAP_NET_RAW: unknown (/proc/self/status unreadable)\n";
  }
  if (facts.uid_map) {
    out += fmt::format("user namespace: {} (uid_map {})\n", in_user_namespace(facts.uid_map) ? "yes" : "no",
                       *facts.uid_map);
  } else {
    out += "user namespace: unknown (/proc/self/uid_map unreadable)\n";
  }

  if (can_ping_unprivileged(facts)) {
    out += "verdict: uping can ping without privilege (ICMP datagram sockets)\n";
    return out;
  }
  const bool raw_works = std::any_of(facts.families.begin(), facts.families.end(),
                                     [](const FamilyCapability& f) { return f.raw_error == 0; });
  out += raw_works ? "verdict: uping can ping here only through a raw socket (CAP_NET_RAW)\n"
                   : "verdict: uping cannot ping here\n";
  const bool filtered = std::any_of(facts.families.begin(), facts.families.end(), [&](const FamilyCapability& f) {
    return datagram_filtered(f.datagram_error, permissions);
  });
  if (filtered) {
    out +=
        "fix: a seccomp filter or a security module refuses ICMP datagram sockets (the kernel's range is not the "
        "cause); allow socket(SOCK_DGRAM, IPPROTO_ICMP/IPPROTO_ICMPV6) where the filter comes from:\n";
    out +=
        "  Docker:     docker run --security-opt seccomp=PROFILE (the profile must allow it), or the daemon's "
        "--seccomp-profile\n";
    out += "  Kubernetes: securityContext.seccompProfile of the pod or container (a Localhost profile)\n";
    out +=
        "  AppArmor:   the container's profile (--security-opt apparmor=..., securityContext.appArmorProfile) "
        "must allow network inet dgram and inet6 dgram\n";
    out += "  SELinux:    the policy must allow icmp_socket create for the container's domain\n";
    return out;
  }
  const std::string range = std::string(kOpenRange);
  out += "fix: allow ICMP datagram sockets for your groups, where uping runs (the sysctl is per network namespace):\n";
  out += fmt::format("  Linux:      sysctl -w net.ipv4.ping_group_range=\"{}\" (persist it in /etc/sysctl.d/)\n",
                     range);
  out += fmt::format(
      "  Docker:     docker run --sysctl net.ipv4.ping_group_range=\"{}\" (the default since 20.10, "
      "except --network=host, userns-remap and rootless daemons)\n",
      range);
  out += fmt::format(
      "  Kubernetes: pod securityContext.sysctls: [{{name: net.ipv4.ping_group_range, value: \"{}\"}}] "
      "(a safe sysctl; not with hostNetwork)\n",
      range);
  out += "  containerd: enable_unprivileged_icmp = true in the CRI plugin configuration (the default in 2.0)\n";
  out += fmt::format("  CRI-O:      default_sysctls = [\"net.ipv4.ping_group_range={}\"] in crio.conf\n", range);
  out += fmt::format(
      "  podman:     podman run --sysctl net.ipv4.ping_group_range=\"{}\"; rootless podman relays pings "
      "through the host, whose range must include your group\n",
      range);
  if (in_user_namespace(facts.uid_map)) {
    out += "  note: inside a user namespace the range may only name groups mapped into it (else EINVAL)\n";
  }
  out +=
      "  or grant CAP_NET_RAW for the raw fallback (docker run --cap-add NET_RAW; setcap cap_net_raw=p, never =ep)\n";
  return out;
}

}  // namespace uping
