// The permission diagnosis: parsing of the kernel's texts and the advice given for each case.
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "system/diagnose.hpp"
#include "system/privileges.hpp"
#include "system/resolve.hpp"

using uping::GroupRange;
using uping::PermissionFacts;
using uping::SocketAttempt;
using uping::SocketMode;
using uping::icmp::Family;

namespace {

constexpr std::uint64_t kNetRawBit = std::uint64_t{1} << uping::privileges::kCapNetRaw;

PermissionFacts container_without_net_raw(GroupRange range) {
  PermissionFacts facts;
  facts.attempts = {{Family::v4, SocketMode::datagram, EACCES}, {Family::v4, SocketMode::raw, EPERM}};
  facts.ping_group_range = range;
  facts.uid = 65534;
  facts.gid = 65534;
  facts.euid = 65534;
  facts.egid = 65534;
  uping::privileges::CapabilitySets caps;
  caps.bounding = ~kNetRawBit & 0x1ffffffffff;
  facts.capabilities = caps;
  return facts;
}

}  // namespace

TEST_CASE("ping_group_range is parsed as the kernel prints it", "[diagnose]") {
  const auto closed = uping::parse_group_range("1\t0\n");
  REQUIRE(closed);
  CHECK(closed->low == 1);
  CHECK(closed->high == 0);
  CHECK_FALSE(closed->contains(0));
  CHECK_FALSE(closed->contains(1));

  const auto open = uping::parse_group_range("0\t2147483647\n");
  REQUIRE(open);
  CHECK(open->contains(0));
  CHECK(open->contains(65534));
  CHECK(open->contains(2147483647));

  CHECK_FALSE(uping::parse_group_range(""));
  CHECK_FALSE(uping::parse_group_range("1"));
  CHECK_FALSE(uping::parse_group_range("a b"));
  CHECK_FALSE(uping::parse_group_range("1 2 3"));
}

TEST_CASE("a closed range names the sysctl, the caller and the fixes", "[diagnose]") {
  const std::string text = uping::explain_socket_failure("ping", container_without_net_raw({1, 0}));
  CHECK_THAT(text, Catch::StartsWith("ping: cannot open an ICMP socket: IPv4 SOCK_DGRAM: Permission denied; "
                                     "IPv4 SOCK_RAW: Operation not permitted\n"));
  CHECK_THAT(text, Catch::Contains("net.ipv4.ping_group_range is \"1 0\" (no group may use ICMP datagram sockets)"));
  CHECK_THAT(text, Catch::Contains("you are uid 65534, gids 65534\n"));
  CHECK_THAT(text, Catch::Contains("CAP_NET_RAW: effective no, permitted no, bounding no\n"));
  CHECK_THAT(text, Catch::Contains("fix: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""));
  CHECK_THAT(text, Catch::Contains("docker run --sysctl net.ipv4.ping_group_range=\"0 2147483647\""));
  CHECK_THAT(text, Catch::Contains("securityContext.sysctls"));
  // A few lines, each with the program prefix.
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; ++at) ++lines;
  CHECK(lines <= 6);
  CHECK(text.find("\nping: ") != std::string::npos);
}

TEST_CASE("a range that excludes only the caller's groups says so", "[diagnose]") {
  auto facts = container_without_net_raw({0, 0});
  facts.supplementary_groups = {65534, 100};
  const std::string text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, Catch::Contains("is \"0 0\" (excludes all of your groups)"));
  CHECK_THAT(text, Catch::Contains("gids 65534,100"));
}

TEST_CASE("an admitted group with a refusing kernel points at CAP_NET_RAW", "[diagnose]") {
  auto facts = container_without_net_raw({0, 2147483647});
  facts.attempts = {{Family::v6, SocketMode::datagram, EPROTONOSUPPORT}, {Family::v6, SocketMode::raw, EPERM}};
  const std::string text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, Catch::Contains("IPv6 SOCK_DGRAM: Protocol not supported"));
  CHECK_THAT(text, Catch::Contains("(includes one of your groups)"));
  CHECK_THAT(text, Catch::Contains("--cap-add NET_RAW"));
  CHECK_THAT(text, !Catch::Contains("sysctl -w"));
}

TEST_CASE("unknown facts are reported as unknown, not guessed", "[diagnose]") {
  auto facts = container_without_net_raw({1, 0});
  facts.ping_group_range.reset();
  facts.capabilities.reset();
  const std::string text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, Catch::Contains("net.ipv4.ping_group_range unreadable"));
  CHECK_THAT(text, Catch::Contains("CAP_NET_RAW: unknown"));
}

TEST_CASE("capability sets are read from /proc/<pid>/status", "[diagnose]") {
  const std::string status =
      "Name:\tuping\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t0000000000002000\n"
      "CapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n";
  const auto caps = uping::privileges::parse_proc_status(status);
  REQUIRE(caps);
  CHECK(uping::privileges::holds(caps->permitted, uping::privileges::kCapNetRaw));
  CHECK_FALSE(uping::privileges::holds(caps->effective, uping::privileges::kCapNetRaw));
  CHECK(caps->bounding == 0x1ffffffffffULL);
  CHECK(caps->ambient == 0);

  CHECK_FALSE(uping::privileges::parse_proc_status("CapPrm:\t0\nCapEff:\t0\n"));
  CHECK_FALSE(uping::privileges::parse_proc_status("CapInh:\t0\nCapPrm:\tzz\nCapEff:\t0\nCapBnd:\t0\n"));
  // A key inside another line is not the key.
  CHECK_FALSE(uping::privileges::parse_proc_status("XCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n"));
}

TEST_CASE("names from the network cannot carry terminal controls", "[diagnose]") {
  CHECK(uping::printable("host.example") == "host.example");
  CHECK(uping::printable("evil\x1b[2Jname\n\x7f") == "evil?[2Jname??");
}

TEST_CASE("diagnose mode: verdict and fixes follow the facts", "[diagnose]") {
  uping::DiagnosisFacts facts;
  facts.permissions = container_without_net_raw({1, 0});
  facts.families = {{Family::v4, EACCES, EPERM}, {Family::v6, EACCES, EPERM}};
  facts.uid_map = "0 0 4294967295";
  CHECK_FALSE(uping::can_ping_unprivileged(facts));
  std::string report = uping::diagnosis_report(facts);
  CHECK_THAT(report, Catch::StartsWith("IPv4: datagram socket (unprivileged): no (Permission denied); "
                                       "raw socket: no (Operation not permitted)\n"));
  CHECK_THAT(report, Catch::Contains("net.ipv4.ping_group_range: \"1 0\" (closed to every group"));
  CHECK_THAT(report, Catch::Contains("CAP_NET_RAW: effective no, permitted no, bounding no, ambient no\n"));
  CHECK_THAT(report, Catch::Contains(fmt::format(
                         "capability sets: effective {:016x}, permitted {:016x}, bounding {:016x}, ambient {:016x}\n",
                         facts.permissions.capabilities->effective, facts.permissions.capabilities->permitted,
                         facts.permissions.capabilities->bounding, facts.permissions.capabilities->ambient)));
  CHECK_THAT(report, Catch::Contains("user namespace: no (uid_map 0 0 4294967295)\n"));
  CHECK_THAT(report, Catch::Contains("verdict: uping cannot ping here\n"));
  for (const char* runtime : {"Linux:", "Docker:", "Kubernetes:", "containerd:", "CRI-O:", "podman:"}) {
    CHECK_THAT(report, Catch::Contains(runtime));
  }
  CHECK_THAT(report, !Catch::Contains("inside a user namespace"));

  facts.families[0].raw_error = 0;
  facts.uid_map = "0 1000 1";
  report = uping::diagnosis_report(facts);
  CHECK_THAT(report, Catch::Contains("verdict: uping can ping here only through a raw socket"));
  CHECK_THAT(report, Catch::Contains("user namespace: yes (uid_map 0 1000 1)"));
  CHECK_THAT(report, Catch::Contains("inside a user namespace"));

  facts.families = {{Family::v4, 0, EPERM}, {Family::v6, EAFNOSUPPORT, EAFNOSUPPORT}};
  CHECK(uping::can_ping_unprivileged(facts));  // a kernel without IPv6 does not count against it
  report = uping::diagnosis_report(facts);
  CHECK_THAT(report, Catch::EndsWith("verdict: uping can ping without privilege (ICMP datagram sockets)\n"));
  CHECK_THAT(report, !Catch::Contains("fix:"));

  facts.families = {{Family::v4, 0, EPERM}, {Family::v6, EACCES, EPERM}};
  CHECK_FALSE(uping::can_ping_unprivileged(facts));
}

TEST_CASE("user namespaces are told by their uid_map", "[diagnose]") {
  CHECK_FALSE(uping::in_user_namespace(std::string("0 0 4294967295")));
  CHECK(uping::in_user_namespace(std::string("0 100000 65536")));
  CHECK_FALSE(uping::in_user_namespace(std::nullopt));

  uping::DiagnosisFacts facts;  // a root without /proc (an empty image): unknown, not "no"
  facts.families = {{Family::v4, 0, EPERM}, {Family::v6, 0, EPERM}};
  CHECK_THAT(uping::diagnosis_report(facts),
             Catch::Contains("user namespace: unknown (/proc/self/uid_map unreadable)\n"));
  CHECK_THAT(uping::diagnosis_report(facts), Catch::Contains("CAP_NET_RAW: unknown"));
}

TEST_CASE("the brief socket failure names the family and each refusal", "[diagnose]") {
  const std::vector<SocketAttempt> attempts = {{Family::v4, SocketMode::datagram, EACCES},
                                               {Family::v4, SocketMode::raw, EPERM},
                                               {Family::v6, SocketMode::datagram, EAFNOSUPPORT}};
  CHECK(uping::brief_socket_failure(attempts, Family::v4) ==
        "no ICMP socket (SOCK_DGRAM Permission denied, SOCK_RAW Operation not permitted); run uping --diagnose");
  CHECK(uping::brief_socket_failure(attempts, Family::v6) ==
        "no ICMPv6 socket (SOCK_DGRAM Address family not supported by protocol); run uping --diagnose");
}

TEST_CASE("option -e 0 with the range open: identifier 0 needs a raw socket, the kernel refused nothing",
          "[diagnose]") {
  auto facts = container_without_net_raw({0, 2147483647});
  facts.attempts = {{Family::v4, SocketMode::raw, EPERM}};  // -e 0 tries no datagram socket
  const std::string text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, Catch::Contains("uping: identifier 0 (-e 0) forces a raw socket"));
  CHECK_THAT(text, Catch::Contains("fix: leave out -e 0"));
  CHECK_THAT(text, !Catch::Contains("kernel refused"));
  CHECK_THAT(text, !Catch::Contains("sysctl -w"));

  facts.ping_group_range = GroupRange{1, 0};  // closed: leaving out -e 0 alone would not do
  const std::string closed = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(closed, Catch::Contains("identifier 0 (-e 0) forces a raw socket"));
  CHECK_THAT(closed, Catch::Contains("or grant CAP_NET_RAW"));
}

TEST_CASE("a datagram socket refused by a filter, not by the range, names where filters come from", "[diagnose]") {
  auto facts = container_without_net_raw({0, 2147483647});
  facts.attempts = {{Family::v4, SocketMode::datagram, EPERM}};  // seccomp's usual answer
  std::string text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, Catch::Contains("refused by a seccomp filter or a security module (AppArmor, SELinux), "
                                   "not by net.ipv4.ping_group_range"));
  CHECK_THAT(text, Catch::Contains("docker run --security-opt seccomp="));
  CHECK_THAT(text, Catch::Contains("securityContext.seccompProfile"));
  CHECK_THAT(text, Catch::Contains("AppArmor profile"));
  CHECK_THAT(text, !Catch::Contains("--cap-add NET_RAW"));
  CHECK_THAT(text, !Catch::Contains("sysctl -w"));

  // EACCES is the range's answer, unless the range admits the caller: an LSM answers EACCES too.
  facts.attempts = {{Family::v6, SocketMode::datagram, EACCES}, {Family::v6, SocketMode::raw, EPERM}};
  text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, Catch::Contains("seccomp filter or a security module"));
  facts.ping_group_range = GroupRange{1, 0};
  text = uping::explain_socket_failure("uping", facts);
  CHECK_THAT(text, !Catch::Contains("seccomp"));
  CHECK_THAT(text, Catch::Contains("sysctl -w net.ipv4.ping_group_range"));
}

TEST_CASE("diagnose mode: a filtered datagram socket gets the filter's fix, not the sysctl's", "[diagnose]") {
  uping::DiagnosisFacts facts;
  facts.permissions = container_without_net_raw({0, 2147483647});
  facts.families = {{Family::v4, EPERM, EPERM}, {Family::v6, EPERM, EPERM}};
  const std::string report = uping::diagnosis_report(facts);
  CHECK_THAT(report, Catch::Contains("verdict: uping cannot ping here\n"));
  CHECK_THAT(report, Catch::Contains("fix: a seccomp filter or a security module refuses ICMP datagram sockets"));
  CHECK_THAT(report, Catch::Contains("docker run --security-opt seccomp="));
  CHECK_THAT(report, Catch::Contains("securityContext.seccompProfile"));
  CHECK_THAT(report, Catch::Contains("AppArmor:"));
  CHECK_THAT(report, Catch::Contains("SELinux:"));
  CHECK_THAT(report, !Catch::Contains("sysctl -w"));
}

TEST_CASE("a set-user-ID or set-group-ID copy shows its effective ids beside the real ones", "[diagnose]") {
  const auto facts = container_without_net_raw({0, 2147483647});
  uping::DiagnosisFacts diagnosis;
  diagnosis.permissions = facts;
  CHECK_THAT(uping::diagnosis_report(diagnosis), Catch::Contains("identity: uid 65534, gids 65534\n"));

  diagnosis.permissions.euid = 0;
  CHECK_THAT(uping::diagnosis_report(diagnosis), Catch::Contains("identity: uid 65534 (effective 0), gids 65534\n"));
  diagnosis.permissions.euid = 65534;
  diagnosis.permissions.egid = 0;
  diagnosis.permissions.supplementary_groups = {65534, 100};
  CHECK_THAT(uping::diagnosis_report(diagnosis),
             Catch::Contains("identity: uid 65534, gids 65534,100 (effective gid 0)\n"));
}

TEST_CASE("the privilege drop is refused while another thread runs", "[privileges]") {
  // Capability sets belong to each thread: a drop in one would leave the other privileged.
  REQUIRE(std::filesystem::is_directory("/proc/self/task"));  // the check needs /proc
  std::mutex gate;
  std::unique_lock hold(gate);
  std::thread other([&gate] { const std::lock_guard wait(gate); });
  const auto failure = uping::privileges::drop_all();
  hold.unlock();
  other.join();
  REQUIRE(failure);
  CHECK_THAT(*failure, Catch::Contains("threads are running (capability sets are per thread)"));
}
