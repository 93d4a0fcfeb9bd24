// The gzip writer: every output read back by Beast's inflate (gunzip.hpp) to the very input, for
// empty, small, large exposition-like text written in pieces of every size, and incompressible
// bytes; the header and trailer as RFC 1952 lays them out.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gunzip.hpp"
#include "monitor/gzip.hpp"

using uping::monitor::GzipWriter;
using uping::test::gunzip;
using uping::test::read_le32;

namespace {

std::string gzipped(std::string_view text, int level = 1) {
  std::string out;
  GzipWriter gzip(out, level);
  gzip.write(text);
  gzip.finish();
  return out;
}

// Lines as /metrics writes them for many targets: repetitive names, varying numbers.
std::string exposition_like(std::size_t at_least) {
  std::string text;
  text.reserve(at_least + 256);
  std::uint64_t state = 12345;
  for (std::uint64_t target = 0; text.size() < at_least; ++target) {
    const std::string labels = "{host=\"host-" + std::to_string(target) + ".example\",ip=\"198.51.100." +
                               std::to_string(target % 256) + "\",family=\"ipv4\"";
    std::uint64_t cumulative = 0;
    for (const char* le : {"5e-05", "0.0001", "0.0002", "0.0004", "0.0008", "0.0016", "0.0032", "+Inf"}) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      cumulative += (state >> 33) % 1000;
      text += "smokeping_response_duration_seconds_bucket" + labels + ",le=\"" + le + "\"} " +
              std::to_string(cumulative) + "\n";
    }
    text += "smokeping_requests_total" + labels + "} " + std::to_string(cumulative + target % 7) + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("monitor gzip: header and trailer as RFC 1952 lays them out", "[monitor]") {
  const std::string empty = gzipped("");
  REQUIRE(empty.size() >= 18);
  // ID1 ID2, deflate, no flags, no time, XFL 4 (the fastest level), OS 3 (Unix).
  CHECK(empty.substr(0, 10) == std::string("\x1F\x8B\x08\x00\x00\x00\x00\x00\x04\x03", 10));
  CHECK(read_le32(empty.substr(empty.size() - 8)) == 0);  // CRC-32 of nothing
  CHECK(read_le32(empty.substr(empty.size() - 4)) == 0);
  CHECK(gunzip(empty).empty());

  const std::string hello = gzipped("hello");
  CHECK(read_le32(hello.substr(hello.size() - 8)) == 0x3610A686);  // CRC-32 of "hello"
  CHECK(read_le32(hello.substr(hello.size() - 4)) == 5);
  CHECK(gunzip(hello) == "hello");

  CHECK(static_cast<unsigned char>(gzipped("x", 9)[8]) == 2);  // XFL: the best compression
  CHECK(static_cast<unsigned char>(gzipped("x", 6)[8]) == 0);
}

TEST_CASE("monitor gzip: small texts and every level round-trip", "[monitor]") {
  const std::string text = "# HELP uping_targets Targets configured.\n# TYPE uping_targets gauge\nuping_targets 3\n";
  for (int level = 0; level <= 9; ++level) {
    INFO("level " << level);
    CHECK(gunzip(gzipped(text, level)) == text);
  }
  CHECK(gunzip(gzipped(std::string(1, '\0'))) == std::string(1, '\0'));
  std::string out;
  CHECK_THROWS_AS(GzipWriter(out, 10), std::invalid_argument);
  CHECK_THROWS_AS(GzipWriter(out, -1), std::invalid_argument);
}

TEST_CASE("monitor gzip: 10 MB of exposition-like text written in many pieces", "[monitor]") {
  const std::string text = exposition_like(std::size_t{10} << 20);
  std::string out;
  GzipWriter gzip(out);
  // Pieces of 0, 1 and a few bytes, around the output step and far larger, in turn.
  const std::vector<std::size_t> sizes = {1, 0, 7, 113, 4096, 16384, 16385, 65536 + 13, 1 << 20, 3};
  std::size_t at = 0;
  std::size_t pieces = 0;
  for (std::size_t i = 0; at < text.size(); ++i, ++pieces) {
    const std::size_t size = std::min(sizes[i % sizes.size()], text.size() - at);
    gzip.write(std::string_view(text).substr(at, size));
    at += size;
  }
  gzip.finish();
  CHECK(pieces > 50);
  CHECK(out.size() < text.size() / 4);  // level 1 on such text: well under a quarter
  CHECK(gunzip(out) == text);
}

TEST_CASE("monitor gzip: incompressible bytes round-trip (stored blocks)", "[monitor]") {
  std::string noise(std::size_t{1} << 20, '\0');
  std::uint64_t state = 99;
  for (char& byte : noise) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    byte = static_cast<char>(state >> 56);
  }
  std::string out;
  GzipWriter gzip(out);
  gzip.write(std::string_view(noise).substr(0, 1000));
  gzip.write(std::string_view(noise).substr(1000));
  gzip.finish();
  CHECK(out.size() < noise.size() + noise.size() / 100 + 64);  // stored: barely larger
  CHECK(gunzip(out) == noise);
}

TEST_CASE("monitor gzip: nothing is written after the trailer", "[monitor]") {
  std::string out;
  GzipWriter gzip(out);
  gzip.write("text");
  gzip.finish();
  const std::string done = out;
  CHECK_THROWS_AS(gzip.write("more"), std::logic_error);
  CHECK_THROWS_AS(gzip.finish(), std::logic_error);
  CHECK(out == done);
}
