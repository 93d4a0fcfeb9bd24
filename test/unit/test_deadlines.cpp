// The Pinger's deadline heap: earliest first whatever the order of pushes, stale entries skipped
// and compacted away.

#include <chrono>
#include <set>

#include <catch2/catch.hpp>

#include "pinger/deadlines.hpp"

using uping::pinger::Deadline;
using uping::pinger::DeadlineQueue;

namespace {

using TimePoint = std::chrono::steady_clock::time_point;
TimePoint at_ms(int ms) { return TimePoint(std::chrono::milliseconds(ms)); }

}  // namespace

TEST_CASE("deadlines come out earliest first, whatever order they were pushed in") {
  DeadlineQueue queue;
  // A long timeout sent first, shorter ones after it: the order of sends is not the order of expiry.
  queue.push({at_ms(900), 1, 0, 0});
  queue.push({at_ms(100), 2, 0, 1});
  queue.push({at_ms(500), 3, 1, 2});
  queue.push({at_ms(100), 4, 0, 3});
  const auto all = [](const Deadline&) { return true; };
  std::vector<std::uint32_t> stamps;
  while (auto next = queue.earliest(all)) {
    stamps.push_back(next->stamp);
    queue.pop();
  }
  REQUIRE(stamps.size() == 4);
  CHECK(stamps[2] == 3);
  CHECK(stamps[3] == 1);
  CHECK(((stamps[0] == 2 && stamps[1] == 4) || (stamps[0] == 4 && stamps[1] == 2)));
}

TEST_CASE("a settled probe's deadline is skipped, the live one behind it returned") {
  DeadlineQueue queue;
  queue.push({at_ms(100), 1, 0, 7});
  queue.push({at_ms(200), 2, 0, 8});
  std::set<std::uint32_t> live{2};
  const auto is_live = [&](const Deadline& entry) { return live.contains(entry.stamp); };
  const auto next = queue.earliest(is_live);
  REQUIRE(next);
  CHECK(next->stamp == 2);
  CHECK(next->sequence == 8);
  CHECK(queue.size() == 1);  // the stale entry is gone
  live.clear();
  CHECK_FALSE(queue.earliest(is_live));
  CHECK(queue.empty());
}

TEST_CASE("a reused sequence's old deadline is stale: only the stamp of the current send counts") {
  DeadlineQueue queue;
  queue.push({at_ms(100), 1, 0, 5});  // sequence 5, first send, answered
  queue.push({at_ms(300), 2, 0, 5});  // sequence 5 again, in flight
  const auto is_live = [](const Deadline& entry) { return entry.stamp == 2; };
  const auto next = queue.earliest(is_live);
  REQUIRE(next);
  CHECK(next->at == at_ms(300));
}

TEST_CASE("stale entries are compacted away when they outnumber the live ones") {
  DeadlineQueue queue;
  for (std::uint32_t i = 0; i < 10'000; ++i)
    queue.push({at_ms(static_cast<int>(i)), i, 0, static_cast<std::uint16_t>(i)});
  // Only every hundredth probe is still in flight; the others were answered.
  const auto is_live = [](const Deadline& entry) { return entry.stamp % 100 == 0; };
  queue.compact_if_sparse(100, is_live);
  CHECK(queue.size() == 100);
  // Few stale entries are left alone (compaction is amortised over many sends).
  queue.push({at_ms(1), 1, 0, 1});
  queue.compact_if_sparse(100, is_live);
  CHECK(queue.size() == 101);
  const auto next = queue.earliest(is_live);
  REQUIRE(next);
  CHECK(next->stamp == 0);
}
