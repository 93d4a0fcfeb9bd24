#pragma once
// iputils-compatible text output. Pure: every function returns the text (lines end in '\n'
// where iputils ends them) and the session decides where it goes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "uping/icmp.hpp"
#include "uping/stats.hpp"

namespace uping::report {

// "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data."  (IPv4; +40 more with IP options)
// "PING ::1 (::1) 56 data bytes"                        (IPv6, iputils 20250605 spacing)
// With -I or -B the source follows the address:
// "PING 127.0.0.1 (127.0.0.1) from 127.0.0.1 lo: 56(84) bytes of data." (device empty for an
// address: "from 127.0.0.1 : "); IPv6 -F puts ", flow 0x00005, " before it.
struct Header {
  icmp::Family family = icmp::Family::v4;
  std::string name;     // the target as typed when numeric, else the canonical name
  std::string address;  // numeric form of the resolved address
  std::size_t payload_size = 56;
  std::size_t ip_options_size = 0;          // 40 with -R / -T
  std::optional<std::string> source;        // numeric source address, printed with -I / -B
  std::string device;                       // -I interface name, or empty
  std::optional<std::uint32_t> flow_label;  // IPv6 -F
};
std::string header_line(const Header& header);

// "PATTERN: 0xff00" (-p), printed before the header unless -q came first.
std::string pattern_line(std::span<const std::uint8_t> pattern);

// The reply-line time figure from microseconds: >= 99950 "251", >= 9995 "51.1",
// >= 1000 "1.99", else "0.050". With `precise` (-3) always three decimals, truncated: "251.456".
std::string format_reply_time(Micros rtt, bool precise = false);

// "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.050 ms (DUP!)", in iputils' order:
// " (truncated)" ends a reply shorter than the probe (no time=, no bell, no options then);
// otherwise time=, " (DUP!)", " (BAD CHECKSUM!)", the "wrong data byte" report, the bell (-a),
// the IP options dump (-R / -T), then the newline.
struct Reply {
  std::optional<std::string> timestamp;  // "[1700000000.123456] " prefix with -D (already formatted)
  std::size_t icmp_bytes = 0;
  std::string_view from;  // "addr", or "name (addr)" after a reverse lookup
  std::uint16_t sequence = 0;
  std::optional<std::uint16_t> identifier;  // printed with -v
  std::optional<int> ttl;
  std::optional<Micros> rtt;  // absent when the payload is too small for timing
  bool precise_time = false;  // -3
  bool duplicate = false;
  bool truncated = false;     // fewer bytes than the probe carried
  bool bad_checksum = false;  // raw IPv4: the reply's checksum did not verify
  // First payload byte that differs from what was sent, and the received payload (all of it:
  // iputils then dumps every byte after the timestamp area, 16 to a line... of 32 offsets).
  std::optional<icmp::PayloadMismatch> mismatch;
  std::span<const std::uint8_t> received_payload;
  bool audible = false;    // -a: "\a" before the newline
  std::string ip_options;  // from IpOptionsPrinter, already formatted
};
std::string reply_line(const Reply& reply);
// The same line appended to `out`: with `out`'s capacity reused, a reply costs no allocation.
void append_reply_line(std::string& out, const Reply& reply);

// iputils' dump of the IPv4 options of a reply (-R / -T): "\nRR: \t1.2.3.4\n\t...\n",
// "\nTS: \t123 absolute\n...", "\t(same route)" when the recorded route repeats the previous
// one (not in flood mode). Keeps that previous route, as iputils does.
class IpOptionsPrinter {
 public:
  // `name_of` formats one IPv4 address (network order bytes, most significant first) as reply
  // sources are formatted: "addr" or "name (addr)".
  std::string format(std::span<const std::uint8_t> options, bool flood,
                     const std::function<std::string(std::uint32_t)>& name_of);

 private:
  std::vector<std::uint8_t> previous_route_;
};

// Flood mode's output, written as iputils writes it: one character per probe sent, rubbed out
// per reply.
inline constexpr std::string_view kFloodSent = ".";
inline constexpr std::string_view kFloodReply = "\b \b";
inline constexpr std::string_view kFloodBadChecksum = "\bC";
inline constexpr std::string_view kFloodLocalError = "E";
inline constexpr std::string_view kFloodIcmpError = "\bE";

// "[1700000000.123456] " for -D, from a wall-clock time.
std::string timestamp_prefix(std::chrono::nanoseconds wall);

// iputils' wording of an ICMP error: "Destination Host Unreachable",
// "Frag needed and DF set (mtu = 1400)", "Time exceeded: Hop limit", "Packet too big: mtu=1280", ...
std::string describe_icmp_error(icmp::Family family, std::uint8_t type, std::uint8_t code, std::uint32_t info);

// "From 198.51.100.1 icmp_seq=1 Destination Host Unreachable"
std::string error_line(std::optional<std::string_view> timestamp, std::string_view from, std::uint16_t sequence,
                       std::string_view description);

// "no answer yet for icmp_seq=3" (-O); iputils puts the -D prefix before it too.
std::string no_answer_line(std::uint16_t sequence, std::optional<std::string_view> timestamp = std::nullopt);

// C printf("%g") of a loss percentage: "0", "20", "33.3333", "100".
std::string format_loss(double percent);

// The block printed at the end, from the empty line before "--- name ping statistics ---" to
// the rtt / pipe / ipg line (or the closing empty line when there is none).
struct Summary {
  std::string name;
  const Statistics* stats = nullptr;
  Micros elapsed = 0;          // first send to last send
  bool timing = true;          // payload large enough to carry a timestamp
  bool show_ipg_ewma = false;  // -f, -A or -i 0
};
std::string statistics_block(const Summary& summary);

// SIGQUIT's line on stderr: "\r2/3 packets, 33% loss, min/avg/ewma/max = 0.040/0.050/0.045/0.060 ms"
std::string progress_line(const Statistics& stats, bool timing);

}  // namespace uping::report
