// The monitor's watched set: ids never reused, an address change dropping the old metrics, SIGHUP
// keeping what stays, the resolution backoff and spread.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "monitor/target_set.hpp"
#include "uping/pinger.hpp"

using namespace std::chrono_literals;
using uping::parse_address;
using uping::SocketAddress;
using uping::monitor::first_re_resolution;
using uping::monitor::kNever;
using uping::monitor::Loss;
using uping::monitor::resolve_retry_delay;
using uping::monitor::SteadyTime;
using uping::monitor::TargetOrigin;
using uping::monitor::TargetSet;
using uping::monitor::WallTime;

namespace {

SocketAddress address(const std::string& text) { return *parse_address(text); }

std::vector<std::string> texts_of(const TargetSet& set) {
  std::vector<std::string> texts;
  for (const auto& target : set) texts.push_back(target.text);
  return texts;
}

}  // namespace

TEST_CASE("monitor target set: a duplicate text is watched once, literals are told from names") {
  TargetSet set(3, 2);
  CHECK(set.add("db1", TargetOrigin::command_line));
  CHECK(set.add("198.51.100.7", TargetOrigin::command_line));
  CHECK_FALSE(set.add("db1", TargetOrigin::file));
  REQUIRE(set.size() == 2);
  CHECK_FALSE(set[0].literal);
  CHECK(set[1].literal);
  CHECK(set[0].id == 0);
  CHECK_FALSE(set[0].metrics);
  CHECK(set[0].family_label().empty());
  CHECK(set[0].serial != set[1].serial);
}

TEST_CASE("monitor target set: a new address gets a new id and fresh metrics, the same one nothing") {
  TargetSet set(1, 1);
  set.add("db1", TargetOrigin::command_line);
  auto first = set.set_address(0, address("203.0.113.5"), "203.0.113.5");
  REQUIRE(first);
  CHECK_FALSE(first->old_metrics);
  CHECK(first->old_ip.empty());
  const std::uint32_t id = set[0].id;
  CHECK(id != 0);
  CHECK(set.find_by_id(id) == &set[0]);
  CHECK(set[0].family_label() == "ipv4");
  set[0].next_seq = 7;
  set[0].metrics->loss(Loss::timeout, std::nullopt, WallTime(1s));
  CHECK_FALSE(set[0].metrics->up());

  CHECK_FALSE(set.set_address(0, address("203.0.113.5"), "203.0.113.5"));
  CHECK(set[0].id == id);
  CHECK(set[0].next_seq == 7);

  auto moved = set.set_address(0, address("2001:db8::5"), "2001:db8::5");
  REQUIRE(moved);
  REQUIRE(moved->old_metrics);
  CHECK_FALSE(moved->old_metrics->up());  // the caller ends its outage
  CHECK(moved->old_ip == "203.0.113.5");
  CHECK(set[0].id != id);
  CHECK(set.find_by_id(id) == nullptr);  // replies to the old address are dropped
  CHECK(set.find_by_id(set[0].id) == &set[0]);
  CHECK(set[0].metrics->up());
  CHECK(set[0].metrics->total().requests == 0);
  CHECK(set[0].next_seq == 0);
  CHECK(set[0].family_label() == "ipv6");
}

TEST_CASE("monitor target set: a reload keeps what stays, hands back what goes, adds what is new") {
  TargetSet set(3, 2);
  set.add("cli1", TargetOrigin::command_line);
  set.add("a", TargetOrigin::file);
  set.add("b", TargetOrigin::file);
  set.add("c", TargetOrigin::file);
  set.set_address(2, address("198.51.100.2"), "198.51.100.2");
  set[2].metrics->reply(100, 64, WallTime(1s), WallTime(1s));
  set[2].resolve_failures = 4;
  const std::uint64_t b_serial = set[2].serial;
  const std::uint32_t b_id = set[2].id;
  set.set_address(3, address("198.51.100.3"), "198.51.100.3");
  const std::uint32_t c_id = set[3].id;

  const auto outcome = set.replace_file_targets({"d", "b", "cli1", "d", "e"});
  CHECK(texts_of(set) == std::vector<std::string>{"cli1", "d", "b", "e"});
  REQUIRE(outcome.removed.size() == 2);
  CHECK(outcome.removed[0].text == "a");
  CHECK(outcome.removed[1].text == "c");
  CHECK(outcome.removed[1].metrics);
  CHECK(outcome.added == std::vector<std::size_t>{1, 3});

  // "b" kept everything, and is found at its new place by id and serial.
  CHECK(set[2].serial == b_serial);
  CHECK(set[2].metrics->total().replies == 1);
  CHECK(set[2].resolve_failures == 4);
  CHECK(set.find_by_id(b_id) == &set[2]);
  CHECK(set.index_of_serial(b_serial) == 2U);
  CHECK(set.find_by_id(c_id) == nullptr);
  CHECK(set[1].id == 0);
  CHECK(set[1].origin == TargetOrigin::file);

  // Readding a removed text starts it afresh, and a text can be added again after the reload.
  const auto again = set.replace_file_targets({"c"});
  CHECK(texts_of(set) == std::vector<std::string>{"cli1", "c"});
  CHECK(again.removed.size() == 3);
  CHECK(set[1].id == 0);
  CHECK_FALSE(set.add("c", TargetOrigin::command_line));
  CHECK(set.add("f", TargetOrigin::command_line));
}

TEST_CASE("monitor target set: failed lookups back off from 5 s, doubling, never past --resolve-every") {
  CHECK(resolve_retry_delay(1, 300s) == SteadyTime(5s));
  CHECK(resolve_retry_delay(2, 300s) == SteadyTime(10s));
  CHECK(resolve_retry_delay(4, 300s) == SteadyTime(40s));
  CHECK(resolve_retry_delay(7, 300s) == SteadyTime(300s));
  CHECK(resolve_retry_delay(1000, 300s) == SteadyTime(300s));
  CHECK(resolve_retry_delay(1, 2s) == SteadyTime(2s));

  TargetSet set(3, 2);
  set.add("db1", TargetOrigin::command_line);
  set.add("198.51.100.9", TargetOrigin::command_line);
  set[0].resolving = true;
  set.resolve_failed(0, SteadyTime(100s), 300s);
  CHECK_FALSE(set[0].resolving);
  CHECK(set[0].resolve_failures == 1);
  CHECK(set[0].next_resolve == SteadyTime(105s));
  set.resolve_failed(0, SteadyTime(105s), 300s);
  CHECK(set[0].next_resolve == SteadyTime(115s));
  set.resolved(0, SteadyTime(120s), 300s);
  CHECK(set[0].failures_in_a_row == 0);
  CHECK(set[0].resolve_failures == 2);  // the counter stays
  CHECK(set[0].next_resolve == SteadyTime(420s));
  set.resolved(1, SteadyTime(120s), 300s);
  CHECK(set[1].next_resolve == kNever);  // a literal is never looked up again
}

TEST_CASE("monitor target set: re-resolutions spread over one period") {
  CHECK(first_re_resolution(SteadyTime(0s), 0, 4, 100s) == SteadyTime(100s));
  CHECK(first_re_resolution(SteadyTime(0s), 1, 4, 100s) == SteadyTime(125s));
  CHECK(first_re_resolution(SteadyTime(0s), 3, 4, 100s) == SteadyTime(175s));
  CHECK(first_re_resolution(SteadyTime(10s), 0, 0, 100s) == SteadyTime(110s));
}
