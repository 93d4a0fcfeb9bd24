#pragma once
// What the fping Book's unit tests share: fixed times, options derived as fping derives them, and
// the text of the Book's Emissions, per stream and merged as `2>&1` shows it.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fping/book.hpp"
#include "fping/options.hpp"

namespace fping_book_test {

using uping::fping::Emission;
using uping::fping::FpingOptions;
using uping::fping::Nanos;
using uping::fping::Stream;
using uping::fping::WallClock;
using Args = std::vector<std::string>;

inline constexpr Nanos kMicro = 1'000;
inline constexpr Nanos kMilli = 1'000'000;
inline const WallClock kNow = WallClock(std::chrono::seconds(1'796'118'965));

// The options as fping derives them, from a command line (a target is added; none is needed).
inline FpingOptions options(Args args) {
  args.insert(args.begin(), "fping");
  args.emplace_back("127.0.0.1");
  auto result = uping::fping::parse_fping_command_line(args);
  INFO(result.err);
  REQUIRE(result.options.has_value());
  return *result.options;
}

// Everything a run printed, in order.
struct Printed {
  std::string out;
  std::string err;
  std::string merged;
  std::vector<Stream> streams;

  void take(const Emission& emission) {
    for (const auto& chunk : emission) {
      (chunk.stream == Stream::out ? out : err) += chunk.text;
      merged += chunk.text;
      streams.push_back(chunk.stream);
    }
  }
};

}  // namespace fping_book_test
