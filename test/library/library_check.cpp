// The library as another program uses it: linked against uping::core alone, on its own
// io_context. test/live/test_library.sh runs it in namespaces and reads the lines it prints (the
// program prints; the library never does).
//
//   library_check pinger ADDRESS TIMEOUT_MS [TIMEOUT_MS...] [--linger MS]
//       one probe per TIMEOUT_MS (tokens 0, 1, ...; each with its own timeout, 10 ms apart),
//       then runs until every probe is settled and MS more (default 300) for duplicates.
//       One line per handler call:
//         reply|duplicate token=T ms=M rtt_us=R ttl=L bytes=B from=A
//         timeout token=T ms=M to=A
//         icmp_error token=T ms=M type=X code=Y from=A to=A
//         send_failure token=T ms=M errno=E
//       plus "send token=T status=sent|busy|failed errno=E" for each send() and a last line
//       "end in_flight=N sockets=S".
//   library_check blocking HOST DEADLINE_MS COUNT INTERVAL_MS
//       uping::ping: "result reached=0|1 sent=N replies=N duplicates=N icmp_errors=N
//       send_failures=N timeouts=N elapsed_ms=M error=<text>", then one "rtt_us=R" per reply.
//   library_check many ADDRESS N TIMEOUT_MS
//       N probes as fast as the sockets take them, each timed out after TIMEOUT_MS: "sent in_flight=I
//       sockets=S" once all left, then "end timeouts=T other_events=E in_flight=I".
//   library_check open FAMILY(4|6)
//       "opened mode=datagram|raw", or "refused" then explain_open_failure's text.

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "uping/ping.hpp"
#include "uping/pinger.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

long long since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

int usage() {
  std::fputs(
      "usage: library_check pinger ADDRESS TIMEOUT_MS... [--linger MS] | blocking HOST DEADLINE_MS COUNT "
      "INTERVAL_MS | open 4|6\n",
      stderr);
  return 2;
}

int run_pinger(const std::vector<std::string>& args) {
  const auto target = uping::parse_address(args.at(0));
  if (!target) return usage();
  std::vector<long> timeouts;
  long linger = 300;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--linger" && i + 1 < args.size()) linger = std::stol(args[++i]);
    else timeouts.push_back(std::stol(args[i]));
  }
  asio::io_context io;
  asio::steady_timer pacing(io);
  asio::steady_timer linger_timer(io);
  const auto start = Clock::now();
  std::size_t settled = 0;
  std::size_t next = 0;
  auto maybe_done = [&] {
    if (settled < timeouts.size() || next < timeouts.size()) return;
    linger_timer.expires_after(std::chrono::milliseconds(linger));
    linger_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) io.stop();
    });
  };
  auto print_reply = [&](const char* kind, const uping::Reply& reply) {
    std::printf("%s token=%llu ms=%lld rtt_us=%lld ttl=%d bytes=%zu from=%s\n", kind,
                static_cast<unsigned long long>(reply.token), since(start), static_cast<long long>(reply.rtt),
                reply.ttl.value_or(-1), reply.icmp_bytes, uping::to_string(reply.from).c_str());
  };
  uping::PingerHandlers handlers;
  handlers.on_reply = [&](const uping::Reply& reply) {
    print_reply("reply", reply);
    ++settled;
    maybe_done();
  };
  handlers.on_duplicate = [&](const uping::Reply& reply) { print_reply("duplicate", reply); };
  handlers.on_timeout = [&](const uping::Timeout& timeout) {
    std::printf("timeout token=%llu ms=%lld to=%s\n", static_cast<unsigned long long>(timeout.token), since(start),
                uping::to_string(timeout.to).c_str());
    ++settled;
    maybe_done();
  };
  handlers.on_icmp_error = [&](const uping::IcmpError& error) {
    std::printf("icmp_error token=%llu ms=%lld type=%u code=%u from=%s to=%s\n",
                static_cast<unsigned long long>(error.token), since(start), unsigned{error.type}, unsigned{error.code},
                uping::to_string(error.from).c_str(), uping::to_string(error.to).c_str());
    ++settled;
    maybe_done();
  };
  handlers.on_send_failure = [&](const uping::SendFailure& failure) {
    std::printf("send_failure token=%llu ms=%lld errno=%s\n", static_cast<unsigned long long>(failure.token),
                since(start), strerrorname_np(failure.error));
    ++settled;
    maybe_done();
  };
  uping::Pinger pinger(io, {}, handlers);
  const auto opened = pinger.open(target->family());
  if (!opened) {
    std::fputs(uping::explain_open_failure(opened.attempts, "library_check").c_str(), stdout);
    return 1;
  }
  std::function<void()> send_next = [&] {
    const auto token = next;
    const auto result = pinger.send(*target, token, std::chrono::milliseconds(timeouts[token]));
    std::printf("send token=%zu status=%s errno=%s\n", token,
                result.status == uping::SendStatus::sent   ? "sent"
                : result.status == uping::SendStatus::busy ? "busy"
                                                           : "failed",
                result.error ? strerrorname_np(result.error) : "0");
    if (result.status == uping::SendStatus::busy) return;  // nothing settles it: the run times out
    ++next;
    if (next < timeouts.size()) {
      pacing.expires_after(std::chrono::milliseconds(10));
      pacing.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) send_next();
      });
    }
    maybe_done();
  };
  send_next();
  io.run();
  std::printf("end in_flight=%zu sockets=%zu\n", pinger.in_flight(), pinger.sockets());
  return 0;
}

int run_blocking(const std::vector<std::string>& args) {
  if (args.size() != 4) return usage();
  uping::PingOptions options;
  options.deadline = std::chrono::milliseconds(std::stol(args[1]));
  options.count = static_cast<std::uint32_t>(std::stoul(args[2]));
  options.interval = std::chrono::milliseconds(std::stol(args[3]));
  const uping::PingResult result = uping::ping(args[0], options);
  std::printf(
      "result reached=%d sent=%u replies=%zu duplicates=%u icmp_errors=%zu send_failures=%zu timeouts=%u "
      "elapsed_ms=%lld error=%s\n",
      result.reached ? 1 : 0, result.sent, result.replies.size(), result.duplicates, result.icmp_errors.size(),
      result.send_failures.size(), result.timeouts,
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(result.elapsed).count()),
      result.error.c_str());
  for (const auto& reply : result.replies) std::printf("rtt_us=%lld\n", static_cast<long long>(reply.rtt));
  return 0;
}

int run_many(const std::vector<std::string>& args) {
  if (args.size() != 3) return usage();
  const auto target = uping::parse_address(args[0]);
  if (!target) return usage();
  const std::size_t total = std::stoul(args[1]);
  const auto timeout = std::chrono::milliseconds(std::stol(args[2]));
  asio::io_context io;
  std::size_t timeouts = 0;
  std::size_t other_events = 0;
  std::size_t sent = 0;
  uping::PingerHandlers handlers;
  handlers.on_timeout = [&](const uping::Timeout&) {
    if (++timeouts == total) io.stop();
  };
  handlers.on_reply = handlers.on_duplicate = [&](const uping::Reply&) { ++other_events; };
  handlers.on_icmp_error = [&](const uping::IcmpError&) { ++other_events; };
  handlers.on_send_failure = [&](const uping::SendFailure&) { ++other_events; };
  uping::PingerSettings settings;
  settings.timeout = timeout;
  uping::Pinger pinger(io, settings, handlers);
  if (!pinger.open(target->family())) return 1;
  std::function<void()> send_more = [&] {
    for (; sent < total; ++sent) {
      const auto result = pinger.send(*target, sent);
      if (result.status == uping::SendStatus::failed) ++other_events;
      if (result.status == uping::SendStatus::busy) break;
    }
    if (sent < total) {
      asio::post(io, send_more);  // a full socket buffer: let the loop turn
      return;
    }
    std::printf("sent in_flight=%zu sockets=%zu\n", pinger.in_flight(), pinger.sockets());
  };
  send_more();
  io.run();
  std::printf("end timeouts=%zu other_events=%zu in_flight=%zu\n", timeouts, other_events, pinger.in_flight());
  return 0;
}

int run_open(const std::vector<std::string>& args) {
  if (args.size() != 1 || (args[0] != "4" && args[0] != "6")) return usage();
  asio::io_context io;
  uping::Pinger pinger(io, {}, {});
  const auto opened = pinger.open(args[0] == "4" ? uping::icmp::Family::v4 : uping::icmp::Family::v6);
  if (opened) {
    std::printf("opened mode=%s\n", *opened.mode == uping::SocketMode::datagram ? "datagram" : "raw");
    return 0;
  }
  std::puts("refused");
  std::fputs(uping::explain_open_failure(opened.attempts, "library_check").c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string mode = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    if (mode == "pinger") return run_pinger(args);
    if (mode == "blocking") return run_blocking(args);
    if (mode == "many") return run_many(args);
    if (mode == "open") return run_open(args);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "library_check: %s\n", error.what());
    return 1;
  }
  return usage();
}
