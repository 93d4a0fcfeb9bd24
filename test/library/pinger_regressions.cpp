// Regressions of uping::Pinger found in review, shown on loopback in a namespace of their own
// (run_regressions.sh). Each check prints PASS or FAIL; the exit status is the number of failures.
//   reentrant: a handler that sends and calls receive_now() inside a receive batch
//   raw_ids:   two Pingers of one process on raw sockets (root, ping_group_range excluding us)
//   huge_timeout: a probe sent with nanoseconds::max() as its timeout ("never")
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "uping/pinger.hpp"

using namespace std::chrono_literals;
namespace asio = boost::asio;

static int failures = 0;
static void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "PASS" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

static uping::SocketAddress loopback() { return *uping::parse_address("127.0.0.1"); }

// Three probes answered at once; the handler of the first reply sends two more and reads what
// is waiting (receive_now), as a fast sender does. Every probe must get exactly one on_reply and
// no on_duplicate (loopback answers each once).
static void reentrant_receive() {
  asio::io_context io;
  int replies[8] = {};
  int duplicates = 0, timeouts = 0;
  bool sent_more = false;
  uping::Pinger* self = nullptr;
  uping::PingerHandlers handlers;
  handlers.on_reply = [&](const uping::Reply& r) {
    ++replies[r.token];
    if (!sent_more) {
      sent_more = true;
      self->send(loopback(), 4, 500ms);
      self->send(loopback(), 5, 500ms);
      self->receive_now();
    }
  };
  handlers.on_duplicate = [&](const uping::Reply&) { ++duplicates; };
  handlers.on_timeout = [&](const uping::Timeout&) { ++timeouts; };
  uping::Pinger pinger(io, {}, handlers);
  self = &pinger;
  const auto opened = pinger.open(uping::icmp::Family::v4);
  if (!opened || *opened.mode != uping::SocketMode::datagram) {
    std::printf("SKIP: reentrant: no datagram socket\n");
    return;
  }
  for (uping::ProbeToken t = 1; t <= 3; ++t) pinger.send(loopback(), t, 500ms);
  std::this_thread::sleep_for(50ms);  // the three replies wait in the socket together
  io.run_for(1s);
  bool once = true;
  for (int t = 1; t <= 5; ++t) once = once && replies[t] == 1;
  check(once && duplicates == 0 && timeouts == 0,
        "reentrant receive_now: replies 1..5 = " + std::to_string(replies[1]) + std::to_string(replies[2]) +
            std::to_string(replies[3]) + std::to_string(replies[4]) + std::to_string(replies[5]) +
            " duplicates=" + std::to_string(duplicates) + " timeouts=" + std::to_string(timeouts));
}

// Two independent Pingers (two threads' uping::ping calls look the same) each send one probe to
// the same host: each must see one reply and no duplicate.
static void raw_identifiers() {
  asio::io_context io;
  int replies[2] = {}, duplicates[2] = {};
  auto make = [&](int i) {
    uping::PingerHandlers h;
    h.on_reply = [&, i](const uping::Reply&) { ++replies[i]; };
    h.on_duplicate = [&, i](const uping::Reply&) { ++duplicates[i]; };
    return h;
  };
  uping::Pinger a(io, {}, make(0));
  uping::Pinger b(io, {}, make(1));
  const auto oa = a.open(uping::icmp::Family::v4);
  const auto ob = b.open(uping::icmp::Family::v4);
  if (!oa || !ob || *oa.mode != uping::SocketMode::raw || *ob.mode != uping::SocketMode::raw) {
    std::printf("SKIP: raw_ids: no raw sockets\n");
    return;
  }
  a.send(loopback(), 1, 300ms);
  b.send(loopback(), 1, 300ms);
  io.run_for(500ms);
  check(replies[0] == 1 && replies[1] == 1 && duplicates[0] == 0 && duplicates[1] == 0,
        "two raw Pingers: replies " + std::to_string(replies[0]) + "/" + std::to_string(replies[1]) +
            ", duplicates " + std::to_string(duplicates[0]) + "/" + std::to_string(duplicates[1]));
}

// A timeout of nanoseconds::max() must not time the probe out at once.
static void huge_timeout() {
  asio::io_context io;
  int timeouts = 0;
  uping::PingerHandlers h;
  h.on_timeout = [&](const uping::Timeout&) { ++timeouts; };
  uping::Pinger pinger(io, {}, h);
  if (!pinger.open(uping::icmp::Family::v4)) {
    std::printf("SKIP: huge_timeout: no socket\n");
    return;
  }
  // 203.0.113.9 is routed onto lo in the test namespace, where nothing answers: no reply.
  pinger.send(*uping::parse_address("203.0.113.9"), 1, std::chrono::nanoseconds::max());
  io.run_for(200ms);
  check(timeouts == 0, "timeout nanoseconds::max(): timeouts=" + std::to_string(timeouts) + " within 200 ms");
}

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "";
  if (which == "reentrant") reentrant_receive();
  else if (which == "raw_ids") raw_identifiers();
  else if (which == "huge_timeout") huge_timeout();
  else return 77;
  return failures;
}
