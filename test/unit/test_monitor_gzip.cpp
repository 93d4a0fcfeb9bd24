// The gzip writer: every output read back by zlib (gunzip.hpp) to the very input, for
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

std::string gzipped(std::string_view text) {
  std::string out;
  GzipWriter gzip(out);
  gzip.write(text);
  gzip.finish();
  return out;
}

// Bytes that do not compress: a 64-bit linear congruential generator's top byte.
std::string noise_of(std::size_t size, std::uint64_t seed) {
  std::string noise(size, '\0');
  for (char& byte : noise) {
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    byte = static_cast<char>(seed >> 56);
  }
  return noise;
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
}

TEST_CASE("monitor gzip: small texts round-trip", "[monitor]") {
  const std::string text = "# HELP uping_targets Targets configured.\n# TYPE uping_targets gauge\nuping_targets 3\n";
  CHECK(gunzip(gzipped(text)) == text);
  CHECK(gunzip(gzipped(std::string(1, '\0'))) == std::string(1, '\0'));
  CHECK(gunzip(gzipped("ab")) == "ab");
  CHECK(gunzip(gzipped("abc")) == "abc");
  CHECK(gunzip(gzipped("abcabcabcabc")) == "abcabcabcabc");
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
  CHECK(out.size() < text.size() / 8);  // such text shrinks more than eightfold
  CHECK(gunzip(out) == text);
}

TEST_CASE("monitor gzip: incompressible bytes round-trip (stored blocks)", "[monitor]") {
  const std::string noise = noise_of(std::size_t{1} << 20, 99);
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

TEST_CASE("monitor gzip: the deflater's edges read back exactly", "[monitor]") {
  SECTION("one byte repeated: overlapping matches at distance 1") {
    const std::string run(std::size_t{1} << 20, 'a');
    const std::string out = gzipped(run);
    CHECK(out.size() < run.size() / 100);
    CHECK(gunzip(out) == run);
  }
  SECTION("every byte value, literals of 8 and 9 bits") {
    std::string bytes;
    for (int round = 0; round < 3; ++round) {
      for (int value = 0; value < 256; ++value) bytes += static_cast<char>(value);
    }
    CHECK(gunzip(gzipped(bytes)) == bytes);
  }
  SECTION("a copy exactly 32 KiB back, the farthest a match may reach") {
    const std::string half = noise_of(std::size_t{32} << 10, 7);
    const std::string text = half + half;
    const std::string out = gzipped(text);
    CHECK(out.size() < half.size() + half.size() / 8);  // the second half is found
    CHECK(gunzip(out) == text);
  }
  SECTION("a copy beyond the window is not reached for") {
    const std::string part = noise_of(40000, 11);
    const std::string text = part + part + "tail";
    CHECK(gunzip(gzipped(text)) == text);
  }
  SECTION("block boundaries, in one write and a byte at a time") {
    for (const std::size_t size : {std::size_t{16383}, std::size_t{16384}, std::size_t{16385}, std::size_t{65536}}) {
      INFO("size " << size);
      std::string text = exposition_like(size);
      text.resize(size);
      CHECK(gunzip(gzipped(text)) == text);
      std::string out;
      GzipWriter gzip(out);
      for (const char byte : text) gzip.write(std::string_view(&byte, 1));
      gzip.finish();
      CHECK(gunzip(out) == text);
    }
  }
  SECTION("a write after blocks went out, then nothing more before finish") {
    const std::string text = exposition_like(200000);
    std::string out;
    GzipWriter gzip(out);
    gzip.write(std::string_view(text).substr(0, 65535 * 2));
    gzip.write(std::string_view(text).substr(65535 * 2));
    gzip.finish();
    CHECK(gunzip(out) == text);
  }
}

TEST_CASE("monitor gzip: CRC-32 eight bytes at a time equals zlib's, in pieces of any size", "[monitor]") {
  const std::string text = exposition_like(100000) + noise_of(1000, 3);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{8}, std::size_t{13}, text.size()}) {
    INFO("pieces of " << piece);
    uping::monitor::Crc32 crc;
    for (std::size_t at = 0; at < text.size(); at += piece) crc.update(std::string_view(text).substr(at, piece));
    CHECK(crc.value() == crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
  }
  CHECK(uping::monitor::Crc32().value() == 0);
}
