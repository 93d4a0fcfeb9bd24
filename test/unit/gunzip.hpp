#pragma once
// Test support: one gzip member read back with zlib, the reference inflater, independently of the
// writer's code: the header checked byte by byte, the raw deflate data inflated, exactly the
// 8-byte trailer left after it, its CRC-32 and length compared with what came out. Any fault is a
// std::runtime_error naming it.

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace uping::test {

inline std::uint32_t read_le32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return value;
}

inline std::string gunzip(std::string_view member) {
  constexpr std::size_t kHeader = 10;
  constexpr std::size_t kTrailer = 8;
  if (member.size() < kHeader + kTrailer) throw std::runtime_error("shorter than a gzip header and trailer");
  if (member.substr(0, 4) != std::string_view("\x1F\x8B\x08\x00", 4)) {
    throw std::runtime_error("not a gzip header for deflate without flags");
  }
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) throw std::runtime_error("inflateInit2 failed");  // raw deflate
  std::string_view input = member.substr(kHeader);
  std::string plain;
  int status = Z_OK;
  while (status == Z_OK) {
    constexpr std::size_t kStep = std::size_t{64} << 10;
    const std::size_t used = plain.size();
    plain.resize(used + kStep);
    // zlib's interface is C's: it takes non-const input it never writes.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream.avail_in = static_cast<uInt>(input.size());
    stream.next_out = reinterpret_cast<Bytef*>(plain.data() + used);
    stream.avail_out = static_cast<uInt>(kStep);
    status = inflate(&stream, Z_NO_FLUSH);
    input.remove_prefix(input.size() - stream.avail_in);
    plain.resize(used + kStep - stream.avail_out);
    if (status == Z_BUF_ERROR && stream.avail_out != 0) break;  // input ended before the stream
    if (status == Z_BUF_ERROR) status = Z_OK;
  }
  const std::string message = stream.msg != nullptr ? stream.msg : "";
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("inflate: " + std::to_string(status) + " " + message);
  if (input.size() != kTrailer) {
    throw std::runtime_error(std::to_string(input.size()) + " bytes after the deflate data, not the 8 of a trailer");
  }
  if (read_le32(input) != crc32(0, reinterpret_cast<const Bytef*>(plain.data()), static_cast<uInt>(plain.size()))) {
    throw std::runtime_error("CRC-32 in the trailer is wrong");
  }
  if (read_le32(input.substr(4)) != static_cast<std::uint32_t>(plain.size())) {
    throw std::runtime_error("ISIZE in the trailer is wrong");
  }
  return plain;
}

}  // namespace uping::test
