#include <catch2/catch.hpp>

#include "ping/session.hpp"

using namespace uping;

namespace {

Statistics replies(int sent, int received) {
  Statistics stats;
  for (int i = 0; i < sent; ++i) stats.record_transmit();
  for (int i = 0; i < received; ++i) stats.record_reply(1000, false);
  return stats;
}

}  // namespace

TEST_CASE("iputils' exit code: 0 with a reply, 1 without, 1 when -w ends short of -c replies", "[session]") {
  Options options;
  CHECK(exit_code_of(replies(3, 1), options) == kExitOk);
  CHECK(exit_code_of(replies(3, 0), options) == kExitNoReply);
  options.count = 3;
  CHECK(exit_code_of(replies(3, 2), options) == kExitOk);  // -c alone: one reply is enough
  options.deadline_seconds = 5;
  CHECK(exit_code_of(replies(3, 2), options) == kExitNoReply);
  CHECK(exit_code_of(replies(4, 3), options) == kExitOk);
}

TEST_CASE("the statistics block names the target and shows ipg/ewma only for floods and -A", "[session]") {
  Options options;
  const std::string plain = statistics_text("host.example", replies(2, 2), 1000000, options);
  CHECK(plain.find("--- host.example ping statistics ---") != std::string::npos);
  CHECK(plain.find("2 packets transmitted, 2 received, 0% packet loss, time 1000ms") != std::string::npos);
  CHECK(plain.find("ipg/ewma") == std::string::npos);
  options.flood = true;
  CHECK(statistics_text("host.example", replies(2, 2), 1000000, options).find("ipg/ewma") != std::string::npos);
  options.flood = false;
  options.payload_size = 8;  // no room for a timestamp: no times at all
  CHECK(statistics_text("host.example", replies(2, 2), 1000000, options).find("rtt") == std::string::npos);
}
