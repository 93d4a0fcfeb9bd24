#pragma once
// Test support: one gzip member read back with Boost.Beast's inflate, independently of the writer's
// code: the header checked byte by byte, the raw deflate data inflated, the trailer's CRC-32 and
// length compared with what came out. Any fault is a std::runtime_error naming it.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/beast/zlib/inflate_stream.hpp>
#include <boost/crc.hpp>

namespace uping::test {

inline std::uint32_t read_le32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return value;
}

inline std::string gunzip(std::string_view member) {
  namespace zlib = boost::beast::zlib;
  constexpr std::size_t kHeader = 10;
  constexpr std::size_t kTrailer = 8;
  if (member.size() < kHeader + kTrailer) throw std::runtime_error("shorter than a gzip header and trailer");
  if (member.substr(0, 4) != std::string_view("\x1F\x8B\x08\x00", 4)) {
    throw std::runtime_error("not a gzip header for deflate without flags");
  }
  zlib::inflate_stream inflate;
  inflate.reset(15);
  zlib::z_params params;
  params.next_in = member.data() + kHeader;
  params.avail_in = member.size() - kHeader;
  std::string plain;
  for (;;) {
    const std::size_t used = plain.size();
    constexpr std::size_t kStep = std::size_t{64} << 10;
    plain.resize(used + kStep);
    params.next_out = plain.data() + used;
    params.avail_out = kStep;
    boost::beast::error_code error;
    inflate.write(params, zlib::Flush::sync, error);
    plain.resize(used + kStep - params.avail_out);
    if (error == zlib::error::end_of_stream) break;
    if (error) throw std::runtime_error("inflate: " + error.message());
  }
  if (params.avail_in != kTrailer) {
    throw std::runtime_error(std::to_string(params.avail_in) + " bytes after the deflate data, not the 8 of a trailer");
  }
  const std::string_view trailer = member.substr(member.size() - kTrailer);
  boost::crc_32_type crc;
  crc.process_bytes(plain.data(), plain.size());
  if (read_le32(trailer) != crc.checksum()) throw std::runtime_error("CRC-32 in the trailer is wrong");
  if (read_le32(trailer.substr(4)) != static_cast<std::uint32_t>(plain.size())) {
    throw std::runtime_error("ISIZE in the trailer is wrong");
  }
  return plain;
}

}  // namespace uping::test
