#pragma once
// One gzip member (RFC 1952) written as the text arrives: what /metrics sends to a client that
// accepts gzip (Prometheus always does), so a scrape of 10,000 targets holds a few MB of
// compressed body instead of the plain exposition. Boost.Beast's own deflate and Boost.CRC, both
// header-only: no zlib to link into the static binary. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/crc.hpp>

namespace uping::monitor {

class GzipWriter {
 public:
  // Appends the 10-byte header to `out` at once. `level`: 0 (stored) to 9; 1, the fastest, already
  // shrinks an exposition twentyfold (10,000 targets: 37 MB to 1.8 MB). Throws
  // std::invalid_argument for another level.
  explicit GzipWriter(std::string& out, int level = 1);

  // Compresses `text` into `out`; some of it may wait inside the compressor until finish().
  void write(std::string_view text);
  // Writes what is left and the trailer (CRC-32 and length of the input). Once only; no write() after.
  void finish();

 private:
  // Runs the compressor until it took all of `params`' input (and, for Flush::finish, wrote its end).
  void deflate_from(boost::beast::zlib::z_params& params, boost::beast::zlib::Flush flush);

  std::string& out_;
  boost::beast::zlib::deflate_stream stream_;
  boost::crc_32_type crc_;
  std::uint32_t input_size_ = 0;  // ISIZE: the input's length modulo 2^32
  bool finished_ = false;
};

}  // namespace uping::monitor
