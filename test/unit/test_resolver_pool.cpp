// The resolver pool and the sweep's intake: answers come back on the loop's thread, and a pool
// destroyed first never calls back. Only numeric hosts are waited for; the .invalid names handed
// to the pool are never waited for (their workers are left behind, as at the end of a run).
#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "multi/sweep_intake.hpp"
#include "system/resolver_pool.hpp"

using uping::Resolution;
using uping::ResolverPool;

TEST_CASE("the resolver pool answers on the loop's thread", "[resolver]") {
  boost::asio::io_context io(1);
  ResolverPool pool(io, 2);
  const auto loop_thread = std::this_thread::get_id();
  std::vector<std::string> answers;
  const auto collect = [&answers, loop_thread](Resolution answer) {
    CHECK(std::this_thread::get_id() == loop_thread);
    if (const auto* target = std::get_if<uping::Target>(&answer)) {
      answers.push_back(target->numeric);
    } else {
      answers.push_back("error: " + std::get<uping::ResolveError>(answer).reason);
    }
  };
  for (const char* host : {"127.0.0.1", "::1", "198.51.100.7"}) pool.resolve(host, std::nullopt, collect);
  pool.resolve("::1", uping::icmp::Family::v4, collect);  // fails without asking a name server
  CHECK(pool.outstanding() == 4);
  boost::asio::steady_timer guard(io, std::chrono::seconds(10));  // bounds the test if a lookup hangs
  guard.async_wait([&](const boost::system::error_code&) { io.stop(); });
  while (answers.size() < 4 && !io.stopped()) io.run_one();
  REQUIRE(answers.size() == 4);
  CHECK(pool.outstanding() == 0);
  std::sort(answers.begin(), answers.end());
  CHECK(answers[0] == "127.0.0.1");
  CHECK(answers[1] == "198.51.100.7");
  CHECK(answers[2] == "::1");
  CHECK(answers[3].rfind("error: ", 0) == 0);
}

TEST_CASE("a pool destroyed before its answers arrive never calls back", "[resolver]") {
  boost::asio::io_context io(1);
  bool called = false;
  {
    ResolverPool pool(io, 1);
    pool.resolve("127.0.0.1", std::nullopt, [&](Resolution) { called = true; });
    // Give the worker time to post its answer before the pool goes.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  io.poll();
  CHECK_FALSE(called);
}

TEST_CASE("the intake gives addresses at once, canonical, and names later", "[resolver][sweep]") {
  boost::asio::io_context io(1);
  std::istringstream file("2001:DB8::02\n127.0.0.1\n");
  uping::targets::TargetStream stream({"0:0:0:0:0:0:0:1"}, {}, &file);
  int ready_calls = 0;
  uping::sweep::Intake intake(io, stream, std::nullopt, [&] { ++ready_calls; });
  std::vector<std::string> got;
  while (auto taken = intake.next()) {
    got.push_back(taken->text + " " + taken->address_text);
    CHECK(taken->literal);
  }
  CHECK(got == std::vector<std::string>{"0:0:0:0:0:0:0:1 ::1", "2001:DB8::02 2001:db8::2", "127.0.0.1 127.0.0.1"});
  CHECK(intake.exhausted());
  CHECK_FALSE(intake.ready_now());
  CHECK(intake.take_unprobed().empty());
  CHECK(ready_calls == 0);
}

TEST_CASE("targets the intake took but never handed out are given back in order", "[resolver][sweep]") {
  boost::asio::io_context io(1);
  uping::targets::TargetStream stream({"name-one.invalid", "127.0.0.1", "name-two.invalid"}, {}, nullptr);
  uping::sweep::Intake intake(io, stream, std::nullopt, [] {});
  auto first = intake.next();  // the address comes at once; the names go to the pool
  REQUIRE(first);
  CHECK(first->text == "127.0.0.1");
  CHECK_FALSE(intake.next());  // nothing ready before the loop runs
  CHECK_FALSE(intake.exhausted());
  const auto unprobed = intake.take_unprobed();  // the run ends before the loop ran
  REQUIRE(unprobed.size() == 2);
  CHECK(unprobed[0].text == "name-one.invalid");
  CHECK(unprobed[1].text == "name-two.invalid");
  CHECK(unprobed[0].address_text.empty());
  CHECK(intake.exhausted());
}
