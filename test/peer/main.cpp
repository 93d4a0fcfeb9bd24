// uping_peer: a scriptable, deliberately misbehaving ICMP / ICMPv6 echo responder for uping's live tests.
//
// It creates a TUN device (IFF_TUN | IFF_NO_PI) in the network namespace it runs in, brings it up and
// (unless --no-configure) gives the namespace these documentation-range addresses and routes:
//   198.51.100.1/32 and 2001:db8:1::1/128 on the device    (the namespace's own side: pings come from here)
//   203.0.113.0/24 and 2001:db8:feed::/64 routed into it    (the targets: every address answers)
// Echo requests for the targets are answered according to a scenario (see --help / README.md); ICMP
// errors come from the router addresses 203.0.113.254 / 2001:db8:feed::fe. Everything else read from
// the device (the kernel's IPv6 chatter, other protocols, malformed packets) is counted as ignored.
//
// Ground truth, written to --truth FILE on exit (SIGTERM / SIGINT / SIGHUP, --exit-after-requests N,
// or --timeout S), one event per line in the order they happened; <family> is 4 or 6, <len> the ICMP
// length (8-byte header + payload, the "<len> bytes from" figure), <id> and <seq> as on the wire:
//   request <family> <id> <seq> <len>                  an echo request the scenario handled
//   reply <family> <id> <seq> <len> <delay_us> [flag...] an echo reply written to the device, one line
//       per copy; <delay_us> from reading the request to writing this reply; flags, when they apply:
//       duplicate corrupt-checksum wrong-id wrong-seq truncated oversize forged-timestamp
//   error <family> <type> <code> <seq>                 an ICMP error written instead of a reply
//   dropped <family> <seq> <reason>                    no answer: scenario | queue-full | too-big |
//       write-failed | unsent-at-exit (one line per packet still queued at exit)
//   unsolicited <family> <id> <seq> <len>              a flood reply nobody asked for
//   summary requests=<n> replies=<n> errors=<n> dropped=<n> duplicates=<n> unsolicited=<n> ignored=<n>
//       unlisted=<n> end=signal|requests|timeout
// replies counts every reply line (duplicates included); duplicates counts those marked duplicate.
// At most 200000 event lines are kept (bounded memory); later events only count, in unlisted.
// The file is written to FILE.tmp, then renamed: once FILE exists it is complete.
//
// One thread, one event loop: ppoll on the TUN device and a signalfd, with a timeout up to the
// earliest answer due in a sorted timer queue.

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/ipv6.h>  // struct in6_ifreq; after <netinet/in.h>, whose definitions it then defers to
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "options.hpp"
#include "packet.hpp"

namespace peer {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxEventLines = 200'000;
constexpr std::size_t kMaxPendingPackets = 4096;
constexpr std::size_t kMaxPendingBytes = 16U << 20U;
constexpr int kMaxReadsPerWakeup = 256;        // so a flood of requests cannot starve the timer queue
constexpr std::size_t kIpv4ErrorLimit = 576;   // RFC 1812: an ICMP error fits in 576 bytes
constexpr std::size_t kIpv6ErrorLimit = 1280;  // RFC 4443: ... in the minimum IPv6 MTU
constexpr std::uint16_t kWrongSeqOffset = 1000;
constexpr std::size_t kTimevalSize = sizeof(timeval);
constexpr std::time_t kForgedTimestampOffsetS = 24 * 60 * 60;

class Descriptor {
 public:
  explicit Descriptor(int fd = -1) noexcept : fd_(fd) {}
  Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Descriptor& operator=(Descriptor&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void fail_system(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int family_number(Family family) { return static_cast<int>(family); }

// --- the device ----------------------------------------------------------------------------------

ifreq interface_request(const std::string& device) {
  ifreq request{};
  device.copy(request.ifr_name, IFNAMSIZ - 1);
  return request;
}

Descriptor open_tun(const std::string& device) {
  Descriptor tun(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (tun.get() < 0) fail_system("open /dev/net/tun");
  ifreq request = interface_request(device);
  request.ifr_flags = static_cast<short>(IFF_TUN | IFF_NO_PI);
  if (::ioctl(tun.get(), TUNSETIFF, &request) < 0) fail_system("TUNSETIFF " + device);
  return tun;
}

void sockaddr_ipv4(sockaddr& out, const char* text) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, text, &address.sin_addr);
  static_assert(sizeof(address) <= sizeof(sockaddr));
  std::memcpy(&out, &address, sizeof(address));
}

// ioctl that tolerates EEXIST: a device re-attached to an address or route it already has.
void control(int socket, unsigned long request, void* argument, const std::string& what) {
  if (::ioctl(socket, request, argument) < 0 && errno != EEXIST) fail_system(what);
}

void bring_up(const std::string& device) {
  Descriptor socket(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) fail_system("socket(AF_INET)");
  ifreq request = interface_request(device);
  control(socket.get(), SIOCGIFFLAGS, &request, "SIOCGIFFLAGS " + device);
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  control(socket.get(), SIOCSIFFLAGS, &request, "SIOCSIFFLAGS " + device);
}

// The ioctl interface is enough for one address and one route per family, and needs no netlink code.
void configure_addresses_and_routes(const std::string& device) {
  Descriptor socket4(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socket4.get() < 0) fail_system("socket(AF_INET)");
  ifreq request = interface_request(device);
  sockaddr_ipv4(request.ifr_addr, "198.51.100.1");
  control(socket4.get(), SIOCSIFADDR, &request, "SIOCSIFADDR 198.51.100.1");
  sockaddr_ipv4(request.ifr_netmask, "255.255.255.255");
  control(socket4.get(), SIOCSIFNETMASK, &request, "SIOCSIFNETMASK /32");

  std::array<char, IFNAMSIZ> device_name{};
  device.copy(device_name.data(), IFNAMSIZ - 1);
  rtentry route4{};
  sockaddr_ipv4(route4.rt_dst, "203.0.113.0");
  sockaddr_ipv4(route4.rt_genmask, "255.255.255.0");
  route4.rt_flags = RTF_UP;
  route4.rt_dev = device_name.data();
  control(socket4.get(), SIOCADDRT, &route4, "SIOCADDRT 203.0.113.0/24");

  const unsigned index = ::if_nametoindex(device.c_str());
  if (index == 0) fail_system("if_nametoindex " + device);
  Descriptor socket6(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socket6.get() < 0) fail_system("socket(AF_INET6)");
  in6_ifreq address6{};
  ::inet_pton(AF_INET6, "2001:db8:1::1", &address6.ifr6_addr);
  address6.ifr6_prefixlen = 128;
  address6.ifr6_ifindex = static_cast<int>(index);
  control(socket6.get(), SIOCSIFADDR, &address6, "SIOCSIFADDR 2001:db8:1::1/128");

  in6_rtmsg route6{};
  ::inet_pton(AF_INET6, "2001:db8:feed::", &route6.rtmsg_dst);
  route6.rtmsg_dst_len = 64;
  route6.rtmsg_metric = 1024;
  route6.rtmsg_flags = RTF_UP;
  route6.rtmsg_ifindex = static_cast<int>(index);
  control(socket6.get(), SIOCADDRT, &route6, "SIOCADDRT 2001:db8:feed::/64");
}

Descriptor termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  if (::sigprocmask(SIG_BLOCK, &signals, nullptr) < 0) fail_system("sigprocmask");
  Descriptor fd(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (fd.get() < 0) fail_system("signalfd");
  return fd;
}

// --- ground truth ----------------------------------------------------------------------------------

struct Totals {
  std::uint64_t requests = 0;
  std::uint64_t replies = 0;
  std::uint64_t errors = 0;
  std::uint64_t dropped = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t unsolicited = 0;
  std::uint64_t ignored = 0;
};

class Truth {
 public:
  explicit Truth(bool verbose) : verbose_(verbose) {}

  void add(const std::string& line) {
    if (verbose_) std::cerr << "uping_peer: " << line << '\n';
    if (lines_.size() < kMaxEventLines) {
      lines_.push_back(line);
    } else {
      ++unlisted_;
    }
  }

  std::string summary(const Totals& totals, const char* end) const {
    std::ostringstream line;
    line << "summary requests=" << totals.requests << " replies=" << totals.replies << " errors=" << totals.errors
         << " dropped=" << totals.dropped << " duplicates=" << totals.duplicates
         << " unsolicited=" << totals.unsolicited << " ignored=" << totals.ignored << " unlisted=" << unlisted_
         << " end=" << end;
    return line.str();
  }

  void write(const std::string& path, const std::string& summary_line) const {
    if (path == "-") {
      for (const auto& line : lines_) std::cout << line << '\n';
      std::cout << summary_line << '\n' << std::flush;
      return;
    }
    const std::string partial = path + ".tmp";
    {
      std::ofstream out(partial, std::ios::trunc);
      for (const auto& line : lines_) out << line << '\n';
      out << summary_line << '\n';
      out.flush();
      if (!out) throw std::runtime_error("cannot write " + partial);
    }
    if (std::rename(partial.c_str(), path.c_str()) != 0) fail_system("rename " + partial);
  }

 private:
  bool verbose_;
  std::vector<std::string> lines_;
  std::uint64_t unlisted_ = 0;
};

// --- the responder ---------------------------------------------------------------------------------

struct Outgoing {
  enum class Kind : std::uint8_t { reply, error, unsolicited };
  Kind kind = Kind::reply;
  Family family = Family::v4;
  std::uint16_t identifier = 0;  // as sent
  std::uint16_t sequence = 0;    // as sent; for errors the quoted request's
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::size_t icmp_length = 0;
  bool duplicate = false;
  std::string flags;  // " corrupt-checksum wrong-id ..." for the reply line
  Clock::time_point request_read;
  std::vector<std::uint8_t> packet;
};

struct FamilyCounters {
  std::uint64_t requests = 0;
  std::uint64_t reply_packets = 0;
  std::uint64_t forged = 0;
};

class Responder {
 public:
  Responder(const Options& options, int tun, Truth& truth)
      : options_(options), tun_(tun), truth_(truth), random_(options.seed) {}

  bool wants_more_requests() const {
    return options_.exit_after_requests == 0 || totals_.requests < options_.exit_after_requests;
  }
  bool finished() const { return !wants_more_requests() && pending_.empty(); }
  const Totals& totals() const { return totals_; }
  void count_ignored() { ++totals_.ignored; }

  std::optional<Clock::time_point> next_due() const {
    if (pending_.empty()) return std::nullopt;
    return pending_.begin()->first.first;
  }

  void handle(const EchoRequest& request, Clock::time_point now) {
    const Scenario& scenario = options_.scenario(request.family);
    FamilyCounters& counters = counters_[request.family == Family::v4 ? 0 : 1];
    const std::uint64_t number = ++counters.requests;
    ++totals_.requests;
    truth_.add(event("request", request.family) + " " + std::to_string(request.identifier) + " " +
               std::to_string(request.sequence) + " " + std::to_string(request.icmp_length));

    for (std::uint32_t i = 0; i < scenario.flood_unsolicited; ++i) {
      queue(unsolicited_reply(request, scenario), now);
    }

    if (scenario.drop_every != 0 && number % scenario.drop_every == 0) {
      record_dropped(request.family, request.sequence, "scenario");
      return;
    }
    const Clock::time_point due = now + answer_delay(scenario);
    if (scenario.error && number % scenario.error_every == 0) {
      queue(error_for(request, scenario, *scenario.error, now), due);
      return;
    }
    for (std::uint32_t copy = 0; copy <= scenario.duplicate; ++copy) {
      queue(reply_for(request, scenario, counters, copy > 0, now), due);
    }
  }

  void send_due(Clock::time_point now) {
    while (!pending_.empty() && pending_.begin()->first.first <= now) {
      auto node = pending_.extract(pending_.begin());
      Outgoing& outgoing = node.mapped();
      pending_bytes_ -= outgoing.packet.size();
      send(outgoing);
    }
  }

  void discard_pending() {
    for (const auto& [due, outgoing] : pending_) {
      if (outgoing.kind != Outgoing::Kind::unsolicited) {
        record_dropped(outgoing.family, outgoing.sequence, "unsent-at-exit");
      }
    }
    pending_.clear();
    pending_bytes_ = 0;
  }

 private:
  static std::string event(const char* name, Family family) {
    return std::string(name) + " " + std::to_string(family_number(family));
  }

  void record_dropped(Family family, std::uint16_t sequence, const char* reason) {
    ++totals_.dropped;
    truth_.add(event("dropped", family) + " " + std::to_string(sequence) + " " + reason);
  }

  Clock::duration answer_delay(const Scenario& scenario) {
    auto delay_ms = static_cast<std::int64_t>(scenario.delay_ms);
    if (scenario.jitter_ms != 0) {
      std::uniform_int_distribution<std::int64_t> jitter(-static_cast<std::int64_t>(scenario.jitter_ms),
                                                         static_cast<std::int64_t>(scenario.jitter_ms));
      delay_ms = std::max<std::int64_t>(0, delay_ms + jitter(random_));
    }
    return std::chrono::milliseconds(delay_ms);
  }

  // A struct timeval as iputils puts it first in the payload, one day off the real clock.
  static void forge_timestamp(std::vector<std::uint8_t>& payload, bool future) {
    if (payload.size() < kTimevalSize) return;
    timeval forged{};
    ::gettimeofday(&forged, nullptr);
    forged.tv_sec += future ? kForgedTimestampOffsetS : -kForgedTimestampOffsetS;
    std::memcpy(payload.data(), &forged, kTimevalSize);
  }

  Outgoing reply_for(const EchoRequest& request, const Scenario& scenario, FamilyCounters& counters, bool duplicate,
                     Clock::time_point now) {
    Outgoing out;
    out.kind = Outgoing::Kind::reply;
    out.family = request.family;
    out.duplicate = duplicate;
    out.request_read = now;
    out.identifier = request.identifier;
    out.sequence = request.sequence;
    if (duplicate) out.flags += " duplicate";

    IcmpMessage message;
    message.type = request.family == Family::v4 ? icmp4::kEchoReply : icmp6::kEchoReply;
    message.body.assign(request.payload.begin(), request.payload.end());
    if (scenario.truncate_to && message.body.size() > *scenario.truncate_to) {
      message.body.resize(*scenario.truncate_to);
      out.flags += " truncated";
    }
    if (scenario.oversize != 0) {
      // Continue iputils' fill pattern (byte i of the payload holds i) so only the length is wrong.
      const std::size_t room = kMaxPacketSize - kIpv4HeaderSize - kIcmpHeaderSize - message.body.size();
      const std::size_t extra = std::min(scenario.oversize, room);
      for (std::size_t i = 0; i < extra; ++i) {
        message.body.push_back(static_cast<std::uint8_t>(message.body.size() & 0xFFU));
      }
      out.flags += " oversize";
    }
    if (scenario.forge_timestamp != ForgedTimestamp::none && message.body.size() >= kTimevalSize) {
      const bool future = scenario.forge_timestamp == ForgedTimestamp::future ||
                          (scenario.forge_timestamp == ForgedTimestamp::alternate && counters.forged % 2 == 0);
      ++counters.forged;
      forge_timestamp(message.body, future);
      out.flags += " forged-timestamp";
    }
    if (scenario.wrong_id) {
      out.identifier = static_cast<std::uint16_t>(out.identifier + 1U);
      out.flags += " wrong-id";
    }
    if (scenario.wrong_seq) {
      out.sequence = static_cast<std::uint16_t>(out.sequence + kWrongSeqOffset);
      out.flags += " wrong-seq";
    }
    const std::uint64_t packet_number = ++counters.reply_packets;
    const bool corrupt = scenario.corrupt_checksum_every != 0 && packet_number % scenario.corrupt_checksum_every == 0;
    if (corrupt) out.flags += " corrupt-checksum";

    message.rest = (static_cast<std::uint32_t>(out.identifier) << 16U) | out.sequence;
    out.icmp_length = kIcmpHeaderSize + message.body.size();
    out.packet = build_packet(request.family, request.destination, request.source, scenario.ttl, message, corrupt);
    return out;
  }

  Outgoing error_for(const EchoRequest& request, const Scenario& scenario, ErrorKind kind, Clock::time_point now) {
    const bool v4 = request.family == Family::v4;
    IcmpMessage message;
    switch (kind) {
      case ErrorKind::net_unreachable:
        message.type = v4 ? icmp4::kDestinationUnreachable : icmp6::kDestinationUnreachable;
        message.code = 0;  // net unreachable / no route
        break;
      case ErrorKind::host_unreachable:
        message.type = v4 ? icmp4::kDestinationUnreachable : icmp6::kDestinationUnreachable;
        message.code = v4 ? 1 : 3;  // host unreachable / address unreachable
        break;
      case ErrorKind::time_exceeded:
        message.type = v4 ? icmp4::kTimeExceeded : icmp6::kTimeExceeded;
        message.code = 0;  // TTL / hop limit exceeded in transit
        break;
      case ErrorKind::frag_needed:
        message.type = v4 ? icmp4::kDestinationUnreachable : icmp6::kPacketTooBig;
        message.code = v4 ? 4 : 0;
        message.rest = kErrorMtu;  // IPv4: next-hop MTU in the low 16 bits; IPv6: the whole word
        break;
    }
    const std::size_t limit = (v4 ? kIpv4ErrorLimit - kIpv4HeaderSize : kIpv6ErrorLimit - kIpv6HeaderSize) -
                              kIcmpHeaderSize;
    const Bytes quote = request.datagram.first(std::min(request.datagram.size(), limit));
    message.body.assign(quote.begin(), quote.end());

    Outgoing out;
    out.kind = Outgoing::Kind::error;
    out.family = request.family;
    out.identifier = request.identifier;
    out.sequence = request.sequence;
    out.type = message.type;
    out.code = message.code;
    out.icmp_length = kIcmpHeaderSize + message.body.size();
    out.request_read = now;
    out.packet = build_packet(request.family, router_address(request.family), request.source, scenario.ttl, message,
                              false);
    return out;
  }

  Outgoing unsolicited_reply(const EchoRequest& request, const Scenario& scenario) {
    std::uniform_int_distribution<std::uint32_t> any16(0, 0xFFFF);
    Outgoing out;
    out.kind = Outgoing::Kind::unsolicited;
    out.family = request.family;
    out.identifier = request.identifier;
    if (!scenario.unsolicited_same_id) {
      // Any identifier but the request's: a ping socket never sees these, a raw socket must drop them.
      out.identifier = static_cast<std::uint16_t>(request.identifier + 1U + any16(random_) % 0xFFFFU);
    }
    // A sequence at least 4096 away from the request's, so it cannot match one recently sent.
    std::uniform_int_distribution<std::uint32_t> offset(4096, 0x10000 - 4096);
    out.sequence = static_cast<std::uint16_t>(request.sequence + offset(random_));

    IcmpMessage message;
    message.type = request.family == Family::v4 ? icmp4::kEchoReply : icmp6::kEchoReply;
    message.rest = (static_cast<std::uint32_t>(out.identifier) << 16U) | out.sequence;
    message.body.assign(request.payload.begin(), request.payload.end());
    out.icmp_length = kIcmpHeaderSize + message.body.size();
    out.packet = build_packet(request.family, request.destination, request.source, scenario.ttl, message, false);
    return out;
  }

  void queue(Outgoing outgoing, Clock::time_point due) {
    if (outgoing.packet.empty()) {
      record_dropped(outgoing.family, outgoing.sequence, "too-big");
      return;
    }
    if (pending_.size() >= kMaxPendingPackets || pending_bytes_ + outgoing.packet.size() > kMaxPendingBytes) {
      record_dropped(outgoing.family, outgoing.sequence, "queue-full");
      return;
    }
    pending_bytes_ += outgoing.packet.size();
    // The insertion number keeps answers due at the same instant in the order they were made.
    pending_.emplace(std::make_pair(due, next_order_++), std::move(outgoing));
  }

  void send(const Outgoing& outgoing) {
    // Taken before write(): the kernel delivers the packet to the pinging socket (and timestamps it)
    // inside that call, which may take long under load; after it, the delay would overstate.
    const auto delay_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - outgoing.request_read).count();
    const ssize_t written = ::write(tun_, outgoing.packet.data(), outgoing.packet.size());
    if (written < 0 || static_cast<std::size_t>(written) != outgoing.packet.size()) {
      std::cerr << "uping_peer: write to the TUN device: " << (written < 0 ? std::strerror(errno) : "short write")
                << '\n';
      record_dropped(outgoing.family, outgoing.sequence, "write-failed");
      return;
    }
    switch (outgoing.kind) {
      case Outgoing::Kind::reply:
        ++totals_.replies;
        if (outgoing.duplicate) ++totals_.duplicates;
        truth_.add(event("reply", outgoing.family) + " " + std::to_string(outgoing.identifier) + " " +
                   std::to_string(outgoing.sequence) + " " + std::to_string(outgoing.icmp_length) + " " +
                   std::to_string(delay_us) + outgoing.flags);
        break;
      case Outgoing::Kind::error:
        ++totals_.errors;
        truth_.add(event("error", outgoing.family) + " " + std::to_string(outgoing.type) + " " +
                   std::to_string(outgoing.code) + " " + std::to_string(outgoing.sequence));
        break;
      case Outgoing::Kind::unsolicited:
        ++totals_.unsolicited;
        truth_.add(event("unsolicited", outgoing.family) + " " + std::to_string(outgoing.identifier) + " " +
                   std::to_string(outgoing.sequence) + " " + std::to_string(outgoing.icmp_length));
        break;
    }
  }

  const Options& options_;
  int tun_;
  Truth& truth_;
  std::mt19937_64 random_;
  Totals totals_;
  std::array<FamilyCounters, 2> counters_{};
  std::map<std::pair<Clock::time_point, std::uint64_t>, Outgoing> pending_;
  std::size_t pending_bytes_ = 0;
  std::uint64_t next_order_ = 0;
};

timespec until(Clock::time_point now, Clock::time_point when) {
  const auto wait = std::max(Clock::duration::zero(), when - now);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(wait - seconds);
  return timespec{static_cast<std::time_t>(seconds.count()), static_cast<long>(nanoseconds.count())};
}

int run(const Options& options) {
  const Descriptor signals = termination_signals();
  const Descriptor tun = open_tun(options.device);
  bring_up(options.device);
  if (options.configure) configure_addresses_and_routes(options.device);
  if (!options.ready_path.empty()) {
    std::ofstream ready(options.ready_path, std::ios::trunc);
    ready << "ready " << options.device << '\n';
    if (!ready) throw std::runtime_error("cannot write " + options.ready_path);
  }
  if (options.verbose) std::cerr << "uping_peer: " << options.device << " up\n";

  Truth truth(options.verbose);
  Responder responder(options, tun.get(), truth);
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
  std::vector<std::uint8_t> buffer(kMaxPacketSize + 1);  // one byte more reveals nothing was cut
  const char* end = "timeout";

  for (;;) {
    Clock::time_point now = Clock::now();
    responder.send_due(now);
    if (responder.finished()) {
      end = "requests";
      break;
    }
    if (now >= deadline) break;

    const Clock::time_point wake = std::min(deadline, responder.next_due().value_or(deadline));
    const timespec wait = until(now, wake);
    std::array<pollfd, 2> watched{pollfd{tun.get(), POLLIN, 0}, pollfd{signals.get(), POLLIN, 0}};
    if (::ppoll(watched.data(), watched.size(), &wait, nullptr) < 0) {
      if (errno == EINTR) continue;
      fail_system("ppoll");
    }
    if ((watched[1].revents & POLLIN) != 0) {
      end = "signal";
      break;
    }
    if ((watched[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
      throw std::runtime_error("the TUN device failed");
    }
    if ((watched[0].revents & POLLIN) == 0) continue;
    for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
      const ssize_t length = ::read(tun.get(), buffer.data(), buffer.size());
      if (length < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        fail_system("read from the TUN device");
      }
      now = Clock::now();
      const auto request = parse_echo_request(Bytes(buffer).first(static_cast<std::size_t>(length)));
      if (request && is_peer_target(request->family, request->destination) && responder.wants_more_requests()) {
        responder.handle(*request, now);
      } else {
        responder.count_ignored();
      }
    }
  }

  responder.discard_pending();
  const std::string summary = truth.summary(responder.totals(), end);
  if (options.verbose) std::cerr << "uping_peer: " << summary << '\n';
  if (!options.truth_path.empty()) truth.write(options.truth_path, summary);
  return 0;
}

}  // namespace
}  // namespace peer

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = peer::parse_options(args);
  if (std::holds_alternative<peer::ShowHelp>(parsed)) {
    std::cout << peer::kUsage;
    return 0;
  }
  if (const auto* error = std::get_if<peer::UsageError>(&parsed)) {
    std::cerr << "uping_peer: " << error->message << " (see uping_peer --help)\n";
    return 2;
  }
  try {
    return peer::run(std::get<peer::Options>(parsed));
  } catch (const std::exception& failure) {
    std::cerr << "uping_peer: " << failure.what() << '\n';
    return 1;
  }
}
