#pragma once
// iputils-compatible text output. Pure: every function returns the text (lines end in '\n'
// where iputils ends them) and the engine decides where it goes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "uping/icmp.hpp"
#include "uping/stats.hpp"

namespace uping::report {

// "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data."  (IPv4; +40 more with IP options)
// "PING ::1 (::1) 56 data bytes"                        (IPv6, iputils 20250605 spacing)
struct Header {
  icmp::Family family = icmp::Family::v4;
  std::string name;      // the target as typed when numeric, else the canonical name
  std::string address;   // numeric form of the resolved address
  std::size_t payload_size = 56;
  std::size_t ip_options_size = 0;  // 40 with -R / -T
};
std::string header_line(const Header& header);

// The reply-line time figure from microseconds: >= 99950 "251", >= 9995 "51.1",
// >= 1000 "1.99", else "0.050".
std::string format_reply_time(Micros rtt);

// "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.050 ms (DUP!)"
struct Reply {
  std::optional<std::string> timestamp;  // "[1700000000.123456] " prefix with -D (already formatted)
  std::size_t icmp_bytes = 0;
  std::string from;                      // "addr", or "name (addr)" after a reverse lookup
  std::uint16_t sequence = 0;
  std::optional<std::uint16_t> identifier;  // printed with -v
  std::optional<int> ttl;
  std::optional<Micros> rtt;             // absent when the payload is too small for timing
  bool duplicate = false;
};
std::string reply_line(const Reply& reply);

// "[1700000000.123456] " for -D, from a wall-clock time.
std::string timestamp_prefix(std::chrono::nanoseconds wall);

// iputils' wording of an ICMP error: "Destination Host Unreachable",
// "Frag needed and DF set (mtu = 1400)", "Time exceeded: Hop limit", "Packet too big: mtu=1280", ...
std::string describe_icmp_error(icmp::Family family, std::uint8_t type, std::uint8_t code,
                                std::uint32_t info);

// "From 198.51.100.1 icmp_seq=1 Destination Host Unreachable"
std::string error_line(std::optional<std::string_view> timestamp, std::string_view from,
                       std::uint16_t sequence, std::string_view description);

// "no answer yet for icmp_seq=3" (-O); iputils puts the -D prefix before it too.
std::string no_answer_line(std::uint16_t sequence,
                           std::optional<std::string_view> timestamp = std::nullopt);

// C printf("%g") of a loss percentage: "0", "20", "33.3333", "100".
std::string format_loss(double percent);

// The block printed at the end, from the empty line before "--- name ping statistics ---" to
// the rtt / pipe / ipg line (or the closing empty line when there is none).
struct Summary {
  std::string name;
  const Statistics* stats = nullptr;
  Micros elapsed = 0;           // first send to last send
  bool timing = true;           // payload large enough to carry a timestamp
  bool show_ipg_ewma = false;   // -f, -A or -i 0
};
std::string statistics_block(const Summary& summary);

// SIGQUIT's line on stderr: "\r2/3 packets, 33% loss, min/avg/ewma/max = 0.040/0.050/0.045/0.060 ms"
std::string progress_line(const Statistics& stats, bool timing);

}  // namespace uping::report
