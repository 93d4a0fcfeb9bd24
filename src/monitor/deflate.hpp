#pragma once
// Raw deflate (RFC 1951) written as the text arrives, for gzip on /metrics. Our own small
// compressor instead of Beast's zlib port, which cost the static binary 25 KB: greedy LZ77 over a
// 32 KiB window with a short hash chain, coded with the fixed Huffman table (no tables to build or
// send). An exposition repeats long runs (metric names, label sets), so the fixed codes lose
// little against zlib's level 1; a block that would not shrink is stored as it is. Pure.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uping::monitor {

class Deflater {
 public:
  // Appends the compressed stream to `out`, from its current end.
  explicit Deflater(std::string& out);

  // Takes `text`; whole blocks are compressed as soon as enough input waits, the rest by finish().
  void write(std::string_view text);
  // Compresses what waits, ends the last block and pads to a byte. Once only; no write() after.
  void finish();

 private:
  struct Token {
    std::uint16_t length;         // 0: a literal byte
    std::uint16_t value;          // the literal, or the match's distance
    std::uint8_t length_code;     // a match's codes (RFC 1951 3.2.5), found once when it is found
    std::uint8_t distance_code;
  };

  void compress_waiting(bool final);
  // Window offsets [start, end) into tokens_; returns the bits their fixed codes take.
  std::size_t tokenize(std::size_t start, std::size_t end);
  std::size_t longest_match(std::size_t at, std::size_t limit, std::uint16_t& distance) const;
  void insert(std::size_t at);
  void emit_block(std::size_t start, std::size_t end, bool final);
  void emit_fixed(bool final);
  void emit_stored(std::string_view bytes, bool final);
  void put_bits(std::uint32_t value, unsigned count);
  void flush_to_byte();

  std::string& out_;
  std::string window_;            // up to 32 KiB already coded, then the input not yet coded
  std::size_t coded_ = 0;         // offset in window_ of the first byte not yet coded
  std::uint64_t base_ = 0;        // stream position of window_[0]
  std::vector<std::uint32_t> head_;  // hash of 4 bytes -> last stream position (32 bits, wrapping)
  std::vector<std::uint32_t> prev_;  // stream position & 32 KiB mask -> the earlier one, same hash
  std::vector<Token> tokens_;     // the block being built
  std::uint64_t bits_ = 0;        // output not yet a whole byte, least significant first
  unsigned bit_count_ = 0;
  bool finished_ = false;
};

}  // namespace uping::monitor
