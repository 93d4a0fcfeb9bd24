// Pings every address given on the command line three times, 200 ms apart, with uping's library on
// this program's own io_context, and prints each reply, timeout and ICMP error as it comes.
// Exit status: 0 when every target answered at least once, 1 otherwise, 2 on a usage or socket error.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "uping/pinger.hpp"
#include "uping/version.hpp"

namespace {

constexpr unsigned kProbesPerTarget = 3;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ADDRESS...  (uping library %s)\n", argv[0], uping::kVersion);
    return 2;
  }
  const std::vector<std::string> names(argv + 1, argv + argc);
  std::vector<uping::SocketAddress> targets;
  for (const auto& name : names) {
    const auto address = uping::parse_address(name);
    if (!address) {
      std::fprintf(stderr, "%s: not a numeric address\n", name.c_str());
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
  boost::asio::steady_timer pacer(io);
  const auto settle = [&] {
    if (++settled == total) {  // nothing left to wait for: io.run() returns
      pacer.cancel();
      io.stop();
    }
  };

  uping::PingerHandlers handlers;
  const auto print_reply = [&](const uping::Reply& reply) {
    std::printf("%s: reply seq=%u time=%.3f ms ttl=%d bytes=%zu%s\n", name_of(reply.token), seq_of(reply.token),
                static_cast<double>(reply.rtt) / 1000.0, reply.ttl.value_or(-1), reply.icmp_bytes,
                reply.duplicate ? " (duplicate)" : "");
  };
  handlers.on_reply = [&](const uping::Reply& reply) {
    print_reply(reply);
    ++replies[reply.token / kProbesPerTarget];
    settle();
  };
  handlers.on_duplicate = print_reply;  // the probe was settled by its first reply
  handlers.on_timeout = [&](const uping::Timeout& timeout) {
    std::printf("%s: timeout seq=%u\n", name_of(timeout.token), seq_of(timeout.token));
    settle();
  };
  handlers.on_icmp_error = [&](const uping::IcmpError& error) {
    std::printf("%s: ICMP error seq=%u type=%u code=%u from %s\n", name_of(error.token), seq_of(error.token),
                unsigned{error.type}, unsigned{error.code}, uping::to_string(error.from).c_str());
    settle();
  };
  handlers.on_send_failure = [&](const uping::SendFailure& failure) {
    std::printf("%s: cannot send seq=%u: %s\n", name_of(failure.token), seq_of(failure.token),
                std::strerror(failure.error));
    settle();
  };
  uping::PingerSettings settings;
  settings.timeout = std::chrono::seconds(1);
  uping::Pinger pinger(io, settings, std::move(handlers));

  for (const auto& target : targets) {
    if (pinger.mode(target.family())) continue;
    const uping::OpenResult opened = pinger.open(target.family());
    if (!opened) {
      for (const auto& attempt : opened.attempts) {  // the datagram socket first, then a raw one if allowed
        std::fprintf(stderr, "%s socket: %s\n", attempt.mode == uping::SocketMode::raw ? "raw" : "datagram",
                     std::strerror(attempt.error));
      }
      return 2;
    }
  }

  // One probe to every target each round; the pinger reports each probe's outcome once.
  unsigned round = 0;
  std::function<void()> send_round = [&] {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const uping::ProbeToken token = i * kProbesPerTarget + round;
      if (pinger.send(targets[i], token).status == uping::SendStatus::busy) {
        std::printf("%s: cannot send seq=%u: busy\n", name_of(token), seq_of(token));
        settle();
      }  // sent: a reply, error or timeout follows; failed: on_send_failure follows
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
