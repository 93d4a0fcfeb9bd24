#include "monitor/gzip.hpp"

#include <array>

namespace uping::monitor {
namespace {

void append_le32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((value >> shift) & 0xFF);
}

// The header goes out before the deflater writes anything.
std::string& with_header(std::string& out) {
  // ID1 ID2, CM = deflate, no flags, no modification time, XFL 4 (the fastest method), OS = Unix.
  constexpr std::array<char, 10> kHeader = {'\x1F', '\x8B', '\x08', '\x00', '\x00', '\x00', '\x00', '\x00', '\x04', '\x03'};
  out.append(kHeader.data(), kHeader.size());
  return out;
}

// kTables[0] is the byte-wise table; kTables[k][b] is the CRC of byte b followed by k zero bytes,
// so eight bytes are folded with eight look-ups. Built at first use: 8 KiB of memory, not of binary.
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

bool fill(CrcTables& tables) {
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1U) != 0 ? 0xEDB88320U : 0U);
    tables[0][byte] = crc;
  }
  for (std::size_t k = 1; k < tables.size(); ++k) {
    for (std::size_t byte = 0; byte < 256; ++byte) {
      const std::uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xFFU];
    }
  }
  return true;
}

const CrcTables& crc_tables() {
  // Filled in place rather than returned by an initialiser, which the compiler would fold into the
  // binary (the static one must stay under 3 MB).
  static CrcTables tables;
  [[maybe_unused]] static const bool filled = fill(tables);
  return tables;
}

}  // namespace

void Crc32::update(std::string_view bytes) noexcept {
  const CrcTables& table = crc_tables();
  std::uint32_t crc = state_;
  const auto* at = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t left = bytes.size();
  for (; left >= 8; left -= 8, at += 8) {
    // The bytes in stream order, whatever the machine's byte order.
    const std::uint32_t low = crc ^ (std::uint32_t{at[0]} | std::uint32_t{at[1]} << 8 | std::uint32_t{at[2]} << 16 |
                                     std::uint32_t{at[3]} << 24);
    crc = table[7][low & 0xFFU] ^ table[6][(low >> 8) & 0xFFU] ^ table[5][(low >> 16) & 0xFFU] ^ table[4][low >> 24] ^
          table[3][at[4]] ^ table[2][at[5]] ^ table[1][at[6]] ^ table[0][at[7]];
  }
  for (; left > 0; --left, ++at) crc = (crc >> 8) ^ table[0][(crc ^ *at) & 0xFFU];
  state_ = crc;
}

GzipWriter::GzipWriter(std::string& out) : out_(with_header(out)), deflater_(out) {}

void GzipWriter::write(std::string_view text) {
  deflater_.write(text);  // first: it refuses a write after finish
  crc_.update(text);
  input_size_ += static_cast<std::uint32_t>(text.size());  // wraps, as ISIZE does
}

void GzipWriter::finish() {
  deflater_.finish();  // refuses a second finish before the trailer is written twice
  append_le32(out_, crc_.value());
  append_le32(out_, input_size_);
}

}  // namespace uping::monitor
