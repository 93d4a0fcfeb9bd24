#include "cli/report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>

#include <fmt/format.h>

namespace uping::report {

namespace {

// "12.345" from 12345 µs: whole milliseconds and truncated microseconds, iputils' "%ld.%03ld",
// written to `out` (any fmt output iterator).
template <typename Out>
Out write_millis(Out out, Micros micros) {
  return fmt::format_to(out, "{}.{:03}", micros / 1000, micros % 1000);
}

std::string micros_as_millis(Micros micros) {
  std::string text;
  write_millis(std::back_inserter(text), micros);
  return text;
}

// format_reply_time's figure written to `out`.
template <typename Out>
Out write_reply_time(Out out, Micros rtt, bool precise) {
  if (!precise) {
    // Thresholds sit half a unit below each step so that rounding never prints "100.0" or
    // "10.00": a value that would round up to the next width gets the next width's format.
    if (rtt >= 100000 - 50) return fmt::format_to(out, "{}", (rtt + 500) / 1000);
    if (rtt >= 10000 - 5) {
      const Micros rounded = rtt + 50;
      return fmt::format_to(out, "{}.{}", rounded / 1000, (rounded % 1000) / 100);
    }
    if (rtt >= 1000) {
      const Micros rounded = rtt + 5;
      return fmt::format_to(out, "{}.{:02}", rounded / 1000, (rounded % 1000) / 10);
    }
  }
  return write_millis(out, rtt);
}

std::string dotted_quad(std::uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xFFU, (address >> 8) & 0xFFU, address & 0xFFU);
}

std::string describe_ipv4_unreachable(std::uint8_t code, std::uint32_t info) {
  // Codes 0-15 of RFC 792 / RFC 1812, in iputils' words; code 4 carries the next-hop MTU.
  static constexpr std::array<const char*, 16> kTexts = {
      "Destination Net Unreachable",
      "Destination Host Unreachable",
      "Destination Protocol Unreachable",
      "Destination Port Unreachable",
      nullptr,
      "Source Route Failed",
      "Destination Net Unknown",
      "Destination Host Unknown",
      "Source Host Isolated",
      "Destination Net Prohibited",
      "Destination Host Prohibited",
      "Destination Net Unreachable for Type of Service",
      "Destination Host Unreachable for Type of Service",
      "Packet filtered",
      "Precedence Violation",
      "Precedence Cutoff",
  };
  constexpr std::uint8_t kFragmentationNeeded = 4;
  if (code == kFragmentationNeeded) {
    return fmt::format("Frag needed and DF set (mtu = {})", info & 0xFFFFU);
  }
  if (code < kTexts.size()) return kTexts[code];
  return fmt::format("Dest Unreachable, Bad Code: {}", code);
}

std::string describe_ipv4_redirect(std::uint8_t code, std::uint32_t info) {
  static constexpr std::array<const char*, 4> kTexts = {
      "Redirect Network",
      "Redirect Host",
      "Redirect Type of Service and Network",
      "Redirect Type of Service and Host",
  };
  std::string text = code < kTexts.size() ? std::string(kTexts[code]) : fmt::format("Redirect, Bad Code: {}", code);
  // iputils appends the gateway with no space before the parenthesis.
  return text + fmt::format("(New nexthop: {})", dotted_quad(info));
}

std::string describe_ipv4(std::uint8_t type, std::uint8_t code, std::uint32_t info) {
  switch (type) {
    case icmp::v4::kEchoReply:
      return "Echo Reply";
    case icmp::v4::kDestinationUnreachable:
      return describe_ipv4_unreachable(code, info);
    case icmp::v4::kSourceQuench:
      return "Source Quench";
    case icmp::v4::kRedirect:
      return describe_ipv4_redirect(code, info);
    case icmp::v4::kEchoRequest:
      return "Echo Request";
    case icmp::v4::kTimeExceeded:
      if (code == 0) return "Time to live exceeded";
      if (code == 1) return "Frag reassembly time exceeded";
      return fmt::format("Time exceeded, Bad Code: {}", code);
    case icmp::v4::kParameterProblem:
      return fmt::format("Parameter problem: pointer = {}", info >> 24);
    case 13:
      return "Timestamp";
    case 14:
      return "Timestamp Reply";
    case 15:
      return "Information Request";
    case 16:
      return "Information Reply";
    case 17:
      return "Address Mask Request";
    case 18:
      return "Address Mask Reply";
    default:
      return fmt::format("Bad ICMP type: {}", type);
  }
}

std::string describe_ipv6_unreachable(std::uint8_t code) {
  static constexpr std::array<const char*, 7> kTexts = {
      "No route",
      "Administratively prohibited",
      "Beyond scope of source address",
      "Address unreachable",
      "Port unreachable",
      "Source address failed ingress/egress policy",
      "Reject route to destination",
  };
  const std::string detail = code < kTexts.size() ? std::string(kTexts[code]) : fmt::format("Unknown code {}", code);
  return "Destination unreachable: " + detail;
}

std::string describe_ipv6(std::uint8_t type, std::uint8_t code, std::uint32_t info) {
  switch (type) {
    case icmp::v6::kDestinationUnreachable:
      return describe_ipv6_unreachable(code);
    case icmp::v6::kPacketTooBig: {
      std::string text = fmt::format("Packet too big: mtu={}", info);
      if (code != 0) text += fmt::format(", code={}", code);
      return text;
    }
    case icmp::v6::kTimeExceeded:
      if (code == 0) return "Time exceeded: Hop limit";
      if (code == 1) return "Time exceeded: Defragmentation failure";
      return fmt::format("Time exceeded: code {}", code);
    case icmp::v6::kParameterProblem: {
      std::string what;
      switch (code) {
        case 0:
          what = "Wrong header field ";
          break;
        case 1:
          what = "Unknown header ";
          break;
        case 2:
          what = "Unknown option ";
          break;
        default:
          what = fmt::format("code {} ", code);
          break;
      }
      return fmt::format("Parameter problem: {}at {}", what, info);
    }
    case icmp::v6::kEchoRequest:
      return "Echo request";
    case icmp::v6::kEchoReply:
      return "Echo reply";
    case 130:
      return "MLD Query";
    case 131:
      return "MLD Report";
    case 132:
      return "MLD Reduction";
    default:
      return fmt::format("unknown icmp type: {}", type);
  }
}

}  // namespace

std::string header_line(const Header& header) {
  std::string line = fmt::format("PING {} ({}) ", header.name, header.address);
  if (header.family == icmp::Family::v6 && header.flow_label && *header.flow_label != 0) {
    line += fmt::format(", flow 0x{:05x}, ", *header.flow_label);
  }
  if (header.source) line += fmt::format("from {} {}: ", *header.source, header.device);
  if (header.family == icmp::Family::v6) {
    return line + fmt::format("{} data bytes\n", header.payload_size);
  }
  const std::size_t ip_packet_size = header.payload_size + icmp::kHeaderSize + header.ip_options_size +
                                     icmp::kIpv4MinHeaderSize;
  return line + fmt::format("{}({}) bytes of data.\n", header.payload_size, ip_packet_size);
}

std::string pattern_line(std::span<const std::uint8_t> pattern) {
  std::string line = "PATTERN: 0x";
  for (const auto byte : pattern) line += fmt::format("{:02x}", byte);
  return line + '\n';
}

std::string format_reply_time(Micros rtt, bool precise) {
  std::string text;
  write_reply_time(std::back_inserter(text), rtt, precise);
  return text;
}

std::string reply_line(const Reply& reply) {
  std::string line;
  append_reply_line(line, reply);
  return line;
}

void append_reply_line(std::string& line, const Reply& reply) {
  auto out = std::back_inserter(line);
  if (reply.timestamp) line += *reply.timestamp;
  fmt::format_to(out, "{} bytes from {}: icmp_seq={}", reply.icmp_bytes, reply.from, reply.sequence);
  if (reply.identifier) fmt::format_to(out, " ident={}", *reply.identifier);
  if (reply.ttl) fmt::format_to(out, " ttl={}", *reply.ttl);
  if (reply.truncated) {
    line += " (truncated)\n";
    return;
  }
  if (reply.rtt) {
    line += " time=";
    write_reply_time(out, *reply.rtt, reply.precise_time);
    line += " ms";
  }
  if (reply.duplicate) line += " (DUP!)";
  if (reply.bad_checksum) line += " (BAD CHECKSUM!)";
  if (reply.mismatch) {
    fmt::format_to(out, "\nwrong data byte #{} should be 0x{:x} but was 0x{:x}", reply.mismatch->offset,
                   reply.mismatch->expected, reply.mismatch->actual);
    // Then every received byte after the timestamp area, a new "#offset" row every 32 offsets.
    for (std::size_t i = icmp::kTimestampSize; i < reply.received_payload.size(); ++i) {
      if (i % 32 == icmp::kTimestampSize) fmt::format_to(out, "\n#{}\t", i);
      fmt::format_to(out, "{:x} ", reply.received_payload[i]);
    }
  }
  if (reply.audible) line += '\a';
  line += reply.ip_options;
  line += '\n';
}

namespace {

constexpr std::uint8_t kOptEnd = 0;
constexpr std::uint8_t kOptNop = 1;
constexpr std::uint8_t kOptRecordRoute = 7;
constexpr std::uint8_t kOptTimestamp = 68;
constexpr std::uint8_t kOptLooseRoute = 131;
constexpr std::uint8_t kOptStrictRoute = 137;
constexpr int kOptMinOffset = 4;  // IPOPT_MINOFF: the pointer's value for an empty option
constexpr std::uint8_t kTimestampOnly = 0;

std::uint32_t read_be32(std::span<const std::uint8_t> bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    value = (value << 8) | (at + k < bytes.size() ? bytes[at + k] : 0U);
  }
  return value;
}

}  // namespace

std::string IpOptionsPrinter::format(std::span<const std::uint8_t> options, bool flood,
                                     const std::function<std::string(std::uint32_t)>& name_of) {
  const auto address_text = [&](std::uint32_t address) {
    return address == 0 ? std::string("\t0.0.0.0") : "\t" + name_of(address);
  };
  std::string text;
  std::size_t at = 0;
  while (at < options.size()) {
    const std::uint8_t type = options[at];
    if (type == kOptEnd) break;
    if (type == kOptNop) {
      text += "\nNOP";
      ++at;
      continue;
    }
    if (at + 1 >= options.size()) break;
    const std::size_t length = options[at + 1];
    if (length < 2 || length > options.size() - at) break;
    const auto option = options.subspan(at, length);
    const int pointer = length > 2 ? option[2] : 0;
    switch (type) {
      case kOptLooseRoute:
      case kOptStrictRoute: {
        text += type == kOptStrictRoute ? "\nSSRR: " : "\nLSRR: ";
        // iputils reads the addresses from the pointer byte on; kept as it does.
        int left = static_cast<int>(length);
        for (std::size_t offset = 2; left > kOptMinOffset; offset += 4, left -= 4) {
          text += address_text(read_be32(option, offset)) + '\n';
        }
        break;
      }
      case kOptRecordRoute: {
        int used = std::min(pointer, static_cast<int>(length)) - kOptMinOffset;
        if (used <= 0) break;
        // Compared from the pointer byte on, over `used` bytes, as iputils does.
        const auto route = option.subspan(2, std::min<std::size_t>(static_cast<std::size_t>(used), length - 2));
        if (!flood && std::equal(route.begin(), route.end(), previous_route_.begin(), previous_route_.end())) {
          text += "\t(same route)";
          break;
        }
        previous_route_.assign(route.begin(), route.end());
        text += "\nRR: ";
        for (std::size_t offset = 3; used > 0; offset += 4, used -= 4) {
          text += address_text(read_be32(option, offset)) + '\n';
        }
        break;
      }
      case kOptTimestamp: {
        int left = std::min(pointer, static_cast<int>(length)) - 5;
        if (left <= 0) break;
        const std::uint8_t flags = length > 3 ? option[3] : 0;
        text += "\nTS: ";
        std::int64_t standard = 0;
        std::int64_t non_standard = 0;
        for (std::size_t offset = 4;;) {
          if ((flags & 0xFU) != kTimestampOnly) {
            text += address_text(read_be32(option, offset));
            offset += 4;
            left -= 4;
            if (left <= 0) break;
          }
          const std::int64_t stamp = read_be32(option, offset);
          offset += 4;
          if ((stamp & 0x80000000LL) != 0) {
            const std::int64_t value = stamp & 0x7fffffffLL;
            text += non_standard == 0 ? fmt::format("\t{} absolute not-standard", value)
                                      : fmt::format("\t{} not-standard", value - non_standard);
            non_standard = value;
          } else {
            text += standard == 0 ? fmt::format("\t{} absolute", stamp) : fmt::format("\t{}", stamp - standard);
            standard = stamp;
          }
          left -= 4;
          text += '\n';
          if (left <= 0) break;
        }
        if ((flags >> 4) != 0) text += fmt::format("Unrecorded hops: {}\n", flags >> 4);
        break;
      }
      default:
        text += fmt::format("\nunknown option {:x}", type);
        break;
    }
    at += length;
  }
  return text;
}

std::string timestamp_prefix(std::chrono::nanoseconds wall) {
  const auto micros = std::chrono::floor<std::chrono::microseconds>(wall).count();
  constexpr std::int64_t kMicrosPerSecond = 1000000;
  std::int64_t seconds = micros / kMicrosPerSecond;
  std::int64_t fraction = micros % kMicrosPerSecond;
  if (fraction < 0) {  // before 1970: keep the fraction positive, as a timeval would
    fraction += kMicrosPerSecond;
    --seconds;
  }
  return fmt::format("[{}.{:06}] ", seconds, fraction);
}

std::string describe_icmp_error(icmp::Family family, std::uint8_t type, std::uint8_t code, std::uint32_t info) {
  return family == icmp::Family::v6 ? describe_ipv6(type, code, info) : describe_ipv4(type, code, info);
}

std::string error_line(std::optional<std::string_view> timestamp, std::string_view from, std::uint16_t sequence,
                       std::string_view description) {
  return fmt::format("{}From {} icmp_seq={} {}\n", timestamp.value_or(""), from, sequence, description);
}

std::string no_answer_line(std::uint16_t sequence, std::optional<std::string_view> timestamp) {
  return fmt::format("{}no answer yet for icmp_seq={}\n", timestamp.value_or(""), sequence);
}

std::string format_loss(double percent) {
  // iputils narrows the percentage to float before printf widens it back: match its digits.
  const auto as_printed = static_cast<double>(static_cast<float>(percent));
  std::array<char, 64> buffer{};
  const int length = std::snprintf(buffer.data(), buffer.size(), "%g", as_printed);
  if (length <= 0) return "0";
  return std::string(buffer.data(), static_cast<std::size_t>(length));
}

std::string statistics_block(const Summary& summary) {
  static const Statistics kNothing;
  const Statistics& stats = summary.stats != nullptr ? *summary.stats : kNothing;
  const Micros elapsed = summary.elapsed > 0 ? summary.elapsed : 0;

  std::string block = fmt::format("\n--- {} ping statistics ---\n", summary.name);
  block += fmt::format("{} packets transmitted, {} received", stats.transmitted(), stats.received());
  if (stats.duplicates() != 0) block += fmt::format(", +{} duplicates", stats.duplicates());
  if (stats.corrupted() != 0) block += fmt::format(", +{} corrupted", stats.corrupted());
  if (stats.errors() != 0) block += fmt::format(", +{} errors", stats.errors());
  // Neither loss nor time when nothing was sent (iputils guards its division the same way).
  if (stats.transmitted() != 0) {
    block += fmt::format(", {}% packet loss, time {}ms", format_loss(stats.loss_percent()), (elapsed + 500) / 1000);
  }
  block += '\n';

  const char* separator = "";
  const auto rtt = stats.rtt_summary();
  if (stats.received() != 0 && summary.timing && rtt) {
    block += fmt::format("rtt min/avg/max/mdev = {}/{}/{}/{} ms", micros_as_millis(rtt->min),
                         micros_as_millis(rtt->avg), micros_as_millis(rtt->max), micros_as_millis(rtt->mdev));
    separator = ", ";
  }
  if (stats.pipe() > 1) {
    block += fmt::format("{}pipe {}", separator, stats.pipe());
    separator = ", ";
  }
  if (stats.received() != 0 && summary.show_ipg_ewma && stats.transmitted() > 1) {
    // Mean gap between sends, in whole microseconds, as iputils (elapsed / (sends - 1)).
    const Micros gap = elapsed / static_cast<Micros>(stats.transmitted() - 1);
    block += fmt::format("{}ipg/ewma {}/{} ms", separator, micros_as_millis(gap),
                         micros_as_millis(stats.ewma().value_or(0)));
  }
  block += '\n';
  return block;
}

std::string progress_line(const Statistics& stats, bool timing) {
  // Unlike the final block, this loss is an integer percentage, truncated.
  std::int64_t loss = 0;
  if (stats.transmitted() != 0) {
    loss = (static_cast<std::int64_t>(stats.transmitted()) - static_cast<std::int64_t>(stats.received())) * 100 /
           static_cast<std::int64_t>(stats.transmitted());
  }
  std::string line = fmt::format("\r{}/{} packets, {}% loss", stats.received(), stats.transmitted(), loss);
  const auto rtt = stats.rtt_summary();
  if (stats.received() != 0 && timing && rtt) {
    line += fmt::format(", min/avg/ewma/max = {}/{}/{}/{} ms", micros_as_millis(rtt->min), micros_as_millis(rtt->avg),
                        micros_as_millis(stats.ewma().value_or(0)), micros_as_millis(rtt->max));
  }
  line += '\n';
  return line;
}

}  // namespace uping::report
