#include "monitor/deflate.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace uping::monitor {
namespace {

constexpr std::size_t kWindow = std::size_t{32} << 10;  // the farthest a match may reach back
constexpr std::size_t kMinMatch = 3;
constexpr std::size_t kMaxMatch = 258;
constexpr std::size_t kBlockInput = std::size_t{16} << 10;  // at most 65,535, what a stored block holds
constexpr unsigned kHashBits = 15;
constexpr std::size_t kHashBytes = 4;      // matches are found through their first four bytes
constexpr unsigned kChainDepth = 8;        // candidates tried per position: speed over the last percent
constexpr std::size_t kGoodEnough = 64;    // a match this long ends the search

// RFC 1951 3.2.5: each length and distance code covers base .. base + 2^extra - 1.
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                       31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistanceBase = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                                         33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistanceExtra = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                         6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// Huffman codes go out most significant bit first, everything else least significant first.
std::uint32_t reversed(std::uint32_t code, unsigned bits) {
  std::uint32_t out = 0;
  for (unsigned i = 0; i < bits; ++i, code >>= 1) out = (out << 1) | (code & 1U);
  return out;
}

struct Code {
  std::uint16_t bits;  // already reversed
  std::uint8_t length;
};

// RFC 1951 3.2.6, the fixed literal/length code.
Code fixed_code(unsigned symbol) {
  if (symbol <= 143) return {static_cast<std::uint16_t>(reversed(0x30 + symbol, 8)), 8};
  if (symbol <= 255) return {static_cast<std::uint16_t>(reversed(0x190 + symbol - 144, 9)), 9};
  if (symbol <= 279) return {static_cast<std::uint16_t>(reversed(symbol - 256, 7)), 7};
  return {static_cast<std::uint16_t>(reversed(0xC0 + symbol - 280, 8)), 8};
}

const std::array<Code, 288>& fixed_codes() {
  static const auto table = [] {
    std::array<Code, 288> codes{};
    for (unsigned symbol = 0; symbol < codes.size(); ++symbol) codes[symbol] = fixed_code(symbol);
    return codes;
  }();
  return table;
}

// The code whose base is the largest not above `value`.
template <std::size_t N>
unsigned code_for(const std::array<std::uint16_t, N>& bases, unsigned value) {
  return static_cast<unsigned>(std::upper_bound(bases.begin(), bases.end(), value) - bases.begin()) - 1;
}

std::uint32_t hash_at(const char* bytes) {
  std::uint32_t word = 0;
  std::memcpy(&word, bytes, sizeof word);
  return (word * 2654435761U) >> (32 - kHashBits);
}

// How many leading bytes of `a` and `b` agree, at most `most`: eight at a time.
std::size_t common_prefix(const char* a, const char* b, std::size_t most) {
  std::size_t length = 0;
  while (length + 8 <= most) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a + length, 8);
    std::memcpy(&y, b + length, 8);
    if (x != y) {
      const std::uint64_t differ = x ^ y;  // the first differing byte: lowest on little-endian machines
      const int bit = std::endian::native == std::endian::little ? std::countr_zero(differ) : std::countl_zero(differ);
      return length + static_cast<std::size_t>(bit / 8);
    }
    length += 8;
  }
  while (length < most && a[length] == b[length]) ++length;
  return length;
}

constexpr unsigned kEndOfBlock = 256;

}  // namespace

Deflater::Deflater(std::string& out) : out_(out), head_(std::size_t{1} << kHashBits), prev_(kWindow) {
  tokens_.reserve(kBlockInput);
}

void Deflater::write(std::string_view text) {
  if (finished_) throw std::logic_error("Deflater::write after finish");
  window_.append(text);
  compress_waiting(false);
}

void Deflater::finish() {
  if (finished_) throw std::logic_error("Deflater::finish twice");
  finished_ = true;
  compress_waiting(true);
}

// Codes whole blocks while a block's worth waits; at the end,
// everything, the last block marked final (an empty one if nothing waits).
void Deflater::compress_waiting(bool final) {
  bool ended = false;
  while (window_.size() - coded_ >= kBlockInput || (final && coded_ < window_.size())) {
    const std::size_t end = std::min(window_.size(), coded_ + kBlockInput);
    ended = final && end == window_.size();
    emit_block(coded_, end, ended);
    coded_ = end;
  }
  if (final && !ended) emit_block(coded_, coded_, true);
  if (final) flush_to_byte();
  // Keep the last 32 KiB coded as history; drop older bytes once they are a window's worth.
  if (coded_ > 2 * kWindow) {
    const std::size_t drop = coded_ - kWindow;
    window_.erase(0, drop);
    coded_ -= drop;
    base_ += drop;
  }
}

void Deflater::emit_block(std::size_t start, std::size_t end, bool final) {
  const std::size_t coded_bits = tokenize(start, end);
  // Stored: 3 header bits, padding to a byte, LEN and NLEN, the bytes. Fixed: header, codes, end.
  const std::size_t fixed_bits = 3 + coded_bits + fixed_codes()[kEndOfBlock].length;
  const std::size_t stored_bits = 3 + 7 + 32 + 8 * (end - start);
  if (fixed_bits < stored_bits) {
    emit_fixed(final);
  } else {
    emit_stored(std::string_view(window_).substr(start, end - start), final);
  }
}

std::size_t Deflater::tokenize(std::size_t start, std::size_t end) {
  const auto& codes = fixed_codes();
  tokens_.clear();
  std::size_t bits = 0;
  for (std::size_t at = start; at < end;) {
    std::uint16_t distance = 0;
    const std::size_t length = longest_match(at, end, distance);
    if (length >= kMinMatch) {
      const auto length_code = static_cast<std::uint8_t>(code_for(kLengthBase, static_cast<unsigned>(length)));
      const auto distance_code = static_cast<std::uint8_t>(code_for(kDistanceBase, distance));
      tokens_.push_back({static_cast<std::uint16_t>(length), distance, length_code, distance_code});
      bits += std::size_t{codes[257 + length_code].length} + kLengthExtra[length_code] + 5U +
              kDistanceExtra[distance_code];
      for (std::size_t i = 0; i < length; ++i) insert(at + i);
      at += length;
    } else {
      const auto literal = static_cast<unsigned char>(window_[at]);
      tokens_.push_back({0, literal, 0, 0});
      bits += codes[literal].length;
      insert(at);
      ++at;
    }
  }
  return bits;
}

// The longest earlier copy of the bytes at `at` (within 32 KiB, not past `limit`), through the
// hash chain; the bytes themselves are compared, so a stale or colliding entry only costs time.
std::size_t Deflater::longest_match(std::size_t at, std::size_t limit, std::uint16_t& distance) const {
  const std::size_t most = std::min(kMaxMatch, limit - at);
  if (most < kHashBytes || window_.size() - at < kHashBytes) return 0;
  const std::uint32_t here = static_cast<std::uint32_t>(base_ + at);
  std::uint32_t candidate = head_[hash_at(window_.data() + at)];
  std::size_t best = 0;
  std::uint32_t last_distance = 0;
  for (unsigned tries = 0; tries < kChainDepth; ++tries) {
    const std::uint32_t back = here - candidate;  // wraps for a stale entry: then too far
    if (back <= last_distance || back > kWindow || back > at) break;
    last_distance = back;
    const char* earlier = window_.data() + (at - back);
    const char* current = window_.data() + at;
    const std::size_t length = common_prefix(earlier, current, most);
    if (length > best) {
      best = length;
      distance = static_cast<std::uint16_t>(back);
      if (best >= kGoodEnough || best == most) break;
    }
    candidate = prev_[candidate & (kWindow - 1)];
  }
  return best;
}

void Deflater::insert(std::size_t at) {
  if (window_.size() - at < kHashBytes) return;
  const std::uint32_t position = static_cast<std::uint32_t>(base_ + at);
  std::uint32_t& head = head_[hash_at(window_.data() + at)];
  prev_[position & (kWindow - 1)] = head;
  head = position;
}

void Deflater::emit_fixed(bool final) {
  const auto& codes = fixed_codes();
  put_bits(final ? 1U : 0U, 1);
  put_bits(1, 2);  // BTYPE 01: fixed Huffman codes
  for (const Token& token : tokens_) {
    if (token.length == 0) {
      put_bits(codes[token.value].bits, codes[token.value].length);
      continue;
    }
    const Code& code = codes[257 + token.length_code];
    put_bits(code.bits, code.length);
    put_bits(token.length - kLengthBase[token.length_code], kLengthExtra[token.length_code]);
    put_bits(reversed(token.distance_code, 5), 5);
    put_bits(token.value - kDistanceBase[token.distance_code], kDistanceExtra[token.distance_code]);
  }
  put_bits(codes[kEndOfBlock].bits, codes[kEndOfBlock].length);
}

void Deflater::emit_stored(std::string_view bytes, bool final) {
  put_bits(final ? 1U : 0U, 1);
  put_bits(0, 2);  // BTYPE 00: stored
  flush_to_byte();
  const auto length = static_cast<std::uint16_t>(bytes.size());
  const auto complement = static_cast<std::uint16_t>(~length);
  for (const std::uint16_t field : {length, complement}) {
    out_ += static_cast<char>(field & 0xFF);
    out_ += static_cast<char>(field >> 8);
  }
  out_.append(bytes);
}

void Deflater::put_bits(std::uint32_t value, unsigned count) {
  bits_ |= static_cast<std::uint64_t>(value) << bit_count_;
  bit_count_ += count;
  while (bit_count_ >= 8) {
    out_ += static_cast<char>(bits_ & 0xFF);
    bits_ >>= 8;
    bit_count_ -= 8;
  }
}

void Deflater::flush_to_byte() {
  if (bit_count_ > 0) out_ += static_cast<char>(bits_ & 0xFF);
  bits_ = 0;
  bit_count_ = 0;
}

}  // namespace uping::monitor
