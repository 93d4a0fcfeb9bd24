// Pings every address given on the command line three times, 200 ms apart, with uping's library on
// this program's own io_context, and prints each reply, timeout and ICMP error as it comes.
// Exit status: 0 when every target answered at least once, 1 otherwise, 2 on a usage or socket error.
#include <netdb.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "uping/prober.hpp"
#include "uping/version.hpp"

namespace {

constexpr unsigned kProbesPerTarget = 3;

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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ADDRESS...  (uping library %s)\n", argv[0], uping::kVersion);
    return 2;
  }
  const std::vector<std::string> names(argv + 1, argv + argc);
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
  std::vector<unsigned> replies(targets.size(), 0);
  std::size_t settled = 0;  // probes answered, failed or timed out
  const std::size_t total = targets.size() * kProbesPerTarget;
  // A token says which target and which probe: target index × probes per target + probe number.
  const auto name_of = [&](uping::ProbeToken token) { return names[token / kProbesPerTarget].c_str(); };
  const auto seq_of = [](uping::ProbeToken token) { return static_cast<unsigned>(token % kProbesPerTarget + 1); };
  std::optional<uping::Prober> prober;
  const auto settle = [&] {
    if (++settled == total) prober->stop();  // nothing left to wait for: io.run() returns
  };

  uping::ProberEvents events;
  events.on_reply = [&](const uping::ProbeReply& reply) {
    std::printf("%s: reply seq=%u time=%.3f ms ttl=%d bytes=%zu%s\n", name_of(reply.token), seq_of(reply.token),
                static_cast<double>(reply.rtt) / 1000.0, reply.ttl.value_or(-1), reply.icmp_bytes,
                reply.duplicate ? " (duplicate)" : "");
    if (reply.duplicate) return;
    ++replies[reply.token / kProbesPerTarget];
    settle();
  };
  events.on_timeout = [&](uping::ProbeToken token) {
    std::printf("%s: timeout seq=%u\n", name_of(token), seq_of(token));
    settle();
  };
  events.on_error = [&](const uping::ProbeError& error) {
    char from[NI_MAXHOST] = "?";
    getnameinfo(error.from.get(), error.from.length, from, sizeof from, nullptr, 0, NI_NUMERICHOST);
    std::printf("%s: ICMP error seq=%u type=%u code=%u from %s\n", name_of(error.token), seq_of(error.token),
                unsigned{error.type}, unsigned{error.code}, from);
    settle();
  };
  uping::ProberSettings settings;
  settings.timeout = std::chrono::seconds(1);
  prober.emplace(io, settings, std::move(events));

  std::vector<uping::SocketAttempt> attempts;
  for (const auto& target : targets) {
    if (!prober->mode(target.family()) && !prober->open(target.family(), attempts)) {
      for (const auto& attempt : attempts) {  // the datagram socket first, then a raw one if allowed
        std::fprintf(stderr, "%s socket: %s\n", attempt.mode == uping::SocketMode::raw ? "raw" : "datagram",
                     std::strerror(attempt.error));
      }
      return 2;
    }
  }

  // One probe to every target each round; the prober reports each probe's outcome once.
  boost::asio::steady_timer pacer(io);
  unsigned round = 0;
  std::function<void()> send_round = [&] {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const uping::ProbeToken token = i * kProbesPerTarget + round;
      const auto result = prober->send(targets[i], token);
      if (result != uping::Prober::SendResult::sent) {
        std::printf("%s: cannot send seq=%u: %s\n", name_of(token), seq_of(token),
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

  int status = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    std::printf("%s: %u of %u answered\n", names[i].c_str(), replies[i], kProbesPerTarget);
    if (replies[i] == 0) status = 1;
  }
  return status;
}
