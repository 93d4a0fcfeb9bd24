#include "uping/diagnose.hpp"

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

bool any_gid_in(const PermissionFacts& facts, const GroupRange& range) {
  if (range.contains(facts.gid)) return true;
  return std::any_of(facts.supplementary_groups.begin(), facts.supplementary_groups.end(),
                     [&](gid_t g) { return range.contains(g); });
}

std::string describe_attempts(const PermissionFacts& facts) {
  std::string text;
  for (const auto& attempt : facts.attempts) {
    if (!text.empty()) text += "; ";
    text += fmt::format("{} {}: {}", attempt.family == icmp::Family::v4 ? "IPv4" : "IPv6",
                        socket_mode_name(attempt.mode),
                        attempt.error == 0 ? "opened" : std::strerror(attempt.error));
  }
  return text;
}

std::string describe_ids(const PermissionFacts& facts) {
  std::string groups = std::to_string(facts.gid);
  for (gid_t g : facts.supplementary_groups) {
    if (g != facts.gid) groups += "," + std::to_string(g);
  }
  return fmt::format("uid {}, gids {}", facts.uid, groups);
}

std::string describe_net_raw(const std::optional<privileges::CapabilitySets>& caps) {
  if (!caps) return "CAP_NET_RAW: unknown (/proc/self/status unreadable)";
  const auto yes_no = [](std::uint64_t set) {
    return privileges::holds(set, privileges::kCapNetRaw) ? "yes" : "no";
  };
  return fmt::format("CAP_NET_RAW: effective {}, permitted {}, bounding {}", yes_no(caps->effective),
                     yes_no(caps->permitted), yes_no(caps->bounding));
}

}  // namespace

std::string_view socket_mode_name(SocketMode mode) noexcept {
  return mode == SocketMode::datagram ? "SOCK_DGRAM" : "SOCK_RAW";
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
  if (std::ifstream in{"/proc/sys/net/ipv4/ping_group_range"}) {
    std::ostringstream text;
    text << in.rdbuf();
    facts.ping_group_range = parse_group_range(text.str());
  }
  facts.uid = getuid();
  facts.gid = getgid();
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

  const bool datagram_refused = std::any_of(
      facts.attempts.begin(), facts.attempts.end(), [](const SocketAttempt& a) {
        return a.mode == SocketMode::datagram && a.error == EACCES;
      });
  if (datagram_refused || !range_admits_caller) {
    // The sysctl is per network namespace: it must be set where uping runs (the container).
    line(fmt::format("fix: sysctl -w net.ipv4.ping_group_range=\"{}\" (in this network namespace)",
                     kOpenRange));
    line(fmt::format("     docker run --sysctl net.ipv4.ping_group_range=\"{}\" ...; Kubernetes: "
                     "securityContext.sysctls [{{name: net.ipv4.ping_group_range, value: \"{}\"}}]",
                     kOpenRange, kOpenRange));
  } else {
    line("fix: the kernel refused ICMP datagram sockets although your group is admitted; "
         "grant CAP_NET_RAW (docker run --cap-add NET_RAW) to use a raw socket");
  }
  return out;
}

}  // namespace uping
