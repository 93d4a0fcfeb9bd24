#include "monitor/gzip.hpp"

#include <array>
#include <stdexcept>
#include <system_error>

namespace uping::monitor {
namespace {

namespace zlib = boost::beast::zlib;

// Output is produced straight into the end of `out`, this much room at a time.
constexpr std::size_t kOutputStep = std::size_t{16} << 10;

constexpr int kWindowBits = 15;  // 32 KiB of history, as gzip(1) and Go's compress/gzip
constexpr int kMemoryLevel = 8;  // zlib's default: about 256 KiB of compressor state

void append_le32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((value >> shift) & 0xFF);
}

}  // namespace

GzipWriter::GzipWriter(std::string& out, int level) : out_(out) {
  if (level < 0 || level > 9) throw std::invalid_argument("gzip level must be 0 to 9");
  stream_.reset(level, kWindowBits, kMemoryLevel, zlib::Strategy::normal);
  // ID1 ID2, CM = deflate, no flags, no modification time, XFL (2: best, 4: fastest), OS = Unix.
  const char extra_flags = level == 9 ? '\x02' : level == 1 ? '\x04' : '\x00';
  const std::array<char, 10> header = {'\x1F', '\x8B', '\x08', '\x00', '\x00', '\x00', '\x00', '\x00', extra_flags,
                                       '\x03'};
  out_.append(header.data(), header.size());
}

void GzipWriter::write(std::string_view text) {
  if (finished_) throw std::logic_error("GzipWriter::write after finish");
  if (text.empty()) return;
  crc_.process_bytes(text.data(), text.size());
  input_size_ += static_cast<std::uint32_t>(text.size());  // wraps, as ISIZE does
  zlib::z_params params;
  params.next_in = text.data();
  params.avail_in = text.size();
  deflate_from(params, zlib::Flush::none);
}

void GzipWriter::finish() {
  if (finished_) throw std::logic_error("GzipWriter::finish twice");
  finished_ = true;
  zlib::z_params params;
  params.next_in = nullptr;
  params.avail_in = 0;
  deflate_from(params, zlib::Flush::finish);
  append_le32(out_, crc_.checksum());
  append_le32(out_, input_size_);
}

void GzipWriter::deflate_from(boost::beast::zlib::z_params& params, boost::beast::zlib::Flush flush) {
  for (;;) {
    const std::size_t used = out_.size();
    out_.resize(used + kOutputStep);
    params.next_out = out_.data() + used;
    params.avail_out = kOutputStep;
    boost::beast::error_code error;
    stream_.write(params, flush, error);
    const std::size_t room_left = params.avail_out;
    out_.resize(used + kOutputStep - room_left);
    if (error == zlib::error::end_of_stream) return;  // finish: everything is out
    // need_buffers: no progress possible, i.e. all input taken and nothing pending.
    if (error && error != zlib::error::need_buffers) throw std::system_error(error);
    const bool done = params.avail_in == 0 && room_left != 0;
    if (flush == zlib::Flush::none && (done || error)) return;
    if (error) throw std::system_error(error);  // finish stuck without reaching end_of_stream
  }
}

}  // namespace uping::monitor
