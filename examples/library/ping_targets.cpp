// Pings every address given on the command line three times, 200 ms apart, with uping's library on
// this program's own io_context, and prints each reply, timeout and ICMP error as it comes.
// Exit status: 0 when every target answered at least once, 1 otherwise, 2 on a usage or socket error.
#include <netdb.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "uping/prober.hpp"
#include "uping/version.hpp"

namespace {

constexpr std::uint64_t kProbesPerTarget = 3;

std::optional<uping::SocketAddress> resolve(const char* host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* list = nullptr;
  if (getaddrinfo(host, nullptr, &hints, &list) != 0 || list == nullptr) return std::nullopt;
  uping::SocketAddress address;
  std::memcpy(&address.storage, list->ai_addr, list->ai_addrlen);
  address.length = list->ai_addrlen;
  freeaddrinfo(list);
  return address;
}

std::string numeric(const uping::SocketAddress& address) {
  char text[NI_MAXHOST] = "?";
  getnameinfo(address.get(), address.length, text, sizeof text, nullptr, 0, NI_NUMERICHOST);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ADDRESS...  (uping library %s)\n", argv[0], uping::kVersion);
    return 2;
  }
  std::vector<std::string> names(argv + 1, argv + argc);
  std::vector<uping::SocketAddress> targets;
  for (const auto& name : names) {
    const auto address = resolve(name.c_str());
    if (!address) {
      std::fprintf(stderr, "%s: cannot resolve\n", name.c_str());
      return 2;
    }
    targets.push_back(*address);
  }

  boost::asio::io_context io;
  std::vector<std::uint64_t> replies(targets.size(), 0);
  std::uint64_t settled = 0;  // probes answered, failed or timed out
  const std::uint64_t total = targets.size() * kProbesPerTarget;
  // A token says which target and which probe: target index × probes per target + probe number.
  const auto name_of = [&](uping::ProbeToken token) { return names[token / kProbesPerTarget].c_str(); };
  const auto seq_of = [](uping::ProbeToken token) { return static_cast<unsigned long long>(token % kProbesPerTarget + 1); };
  std::optional<uping::Prober> prober;
  const auto settle = [&] {
    if (++settled == total) prober->stop();  // nothing left to wait for: io.run() returns
  };

  uping::ProberEvents events;
  events.on_reply = [&](const uping::ProbeReply& reply) {
    std::printf("%s: reply seq=%llu time=%.3f ms ttl=%d bytes=%zu%s\n", name_of(reply.token), seq_of(reply.token),
                static_cast<double>(reply.rtt) / 1000.0, reply.ttl.value_or(-1), reply.icmp_bytes,
                reply.duplicate ? " (duplicate)" : "");
    if (reply.duplicate) return;
    ++replies[reply.token / kProbesPerTarget];
    settle();
  };
  events.on_timeout = [&](uping::ProbeToken token) {
    std::printf("%s: timeout seq=%llu\n", name_of(token), seq_of(token));
    settle();
  };
  events.on_error = [&](const uping::ProbeError& error) {
    std::printf("%s: ICMP error seq=%llu type=%u code=%u from %s\n", name_of(error.token), seq_of(error.token),
                unsigned{error.type}, unsigned{error.code}, numeric(error.from).c_str());
    settle();
  };
  uping::ProberSettings settings;
  settings.timeout = std::chrono::seconds(1);
  prober.emplace(io, settings, std::move(events));

  std::vector<uping::SocketAttempt> attempts;
  for (const auto& target : targets) {
    if (!prober->mode(target.family()) && !prober->open(target.family(), attempts)) {
      for (const auto& attempt : attempts) {
        std::fprintf(stderr, "%s socket: %s\n", attempt.mode == uping::SocketMode::datagram ? "datagram" : "raw",
                     std::strerror(attempt.error));
      }
      return 2;
    }
  }

  // One probe to every target each round; the prober reports each probe's outcome once.
  boost::asio::steady_timer pacer(io);
  std::uint64_t round = 0;
  std::function<void()> send_round = [&] {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const uping::ProbeToken token = i * kProbesPerTarget + round;
      const auto result = prober->send(targets[i], token);
      if (result != uping::Prober::SendResult::sent) {
        std::printf("%s: cannot send seq=%llu: %s\n", name_of(token), seq_of(token),
                    result == uping::Prober::SendResult::busy ? "busy" : std::strerror(prober->last_send_error()));
        settle();
      }
    }
    if (++round == kProbesPerTarget) return;
    pacer.expires_after(std::chrono::milliseconds(200));
    pacer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) send_round();
    });
  };
  send_round();
  io.run();

  bool all_answered = true;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    std::printf("%s: %llu of %llu answered\n", names[i].c_str(), static_cast<unsigned long long>(replies[i]),
                static_cast<unsigned long long>(kProbesPerTarget));
    all_answered = all_answered && replies[i] > 0;
  }
  return all_answered ? 0 : 1;
}
