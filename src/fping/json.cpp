#include "fping/json.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace uping::fping::json {

namespace {

std::string field(std::string_view name, const std::string& value) {
  std::string text = "\"";
  text += name;
  text += "\": ";
  text += value;
  return text;
}

std::string number(std::int64_t value) { return std::to_string(value); }

// The counters shared by summary and intSum: "xmt", "rcv", then "loss" (or `over_name` when more came
// back than left), the outage while not over.
std::string counters(const Tally& tally, bool outage, Nanos period, const char* over_name) {
  std::string text = field("xmt", number(tally.sent)) + ", " + field("rcv", number(tally.received)) + ", ";
  if (tally.received <= tally.sent) {
    text += field("loss", number(tally.sent > 0 ? (tally.sent - tally.received) * 100 / tally.sent : 0));
    if (outage) text += ", " + field("outage(ms)", number(outage_ms(tally, period)));
  } else {
    text += field(over_name, number(tally.sent > 0 ? tally.received * 100 / tally.sent : 0));
  }
  return text;
}

std::string rtt_fields(const Tally& tally) {
  if (tally.received == 0) return {};
  return ", " + field("rttMin", format_ms(tally.min_rtt)) + ", " +
         field("rttAvg", format_ms(int_average(tally.total_rtt, tally.received))) + ", " +
         field("rttMax", format_ms(tally.max_rtt));
}

}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          std::array<char, 8> escape{};
          std::snprintf(escape.data(), escape.size(), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escape.data();
        } else {
          out += c;  // UTF-8 and every other byte as it is
        }
    }
  }
  out += '"';
  return out;
}

std::string reply(const FpingOptions& options, std::string_view host, std::uint32_t seq, std::size_t bytes, Nanos rtt,
                  WallClock when, std::optional<int> ttl, std::optional<int> tos) {
  std::string text = "{\"resp\": {";
  if (options.timestamp) text += json_timestamp_field(options.timestamp_format, when);
  text += field("host", quoted(host)) + ", " + field("seq", std::to_string(seq)) + ", " +
          field("size", std::to_string(bytes)) + ", " + field("rtt", format_ms(rtt));
  if (options.print_tos) text += ", " + field("tos", std::to_string(tos.value_or(-1)));
  if (options.print_ttl) text += ", " + field("ttl", std::to_string(ttl.value_or(-1)));
  text += "}}\n";
  return text;
}

std::string timeout(const FpingOptions& options, std::string_view host, std::uint32_t seq, WallClock when) {
  std::string text = "{\"timeout\": {";
  if (options.timestamp) text += json_timestamp_field(options.timestamp_format, when);
  text += field("host", quoted(host)) + ", " + field("seq", std::to_string(seq)) + "}}\n";
  return text;
}

std::string summary(std::string_view host, const Tally& tally, bool outage, Nanos period) {
  return "{\"summary\": {" + field("host", quoted(host)) + ", " + counters(tally, outage, period, "return") +
         rtt_fields(tally) + "}}\n";
}

std::string all_rtts(std::string_view host, const std::vector<Nanos>& times, std::int64_t sent) {
  std::string text = "{\"vSum\": {" + field("host", quoted(host)) + ", \"values\": [";
  for (std::int64_t i = 0; i < sent; ++i) {
    const auto index = static_cast<std::size_t>(i);
    const Nanos time = index < times.size() ? times[index] : kRespUnused;
    if (i > 0) text += ", ";
    text += time >= 0 ? format_ms(time) : std::string("null");
  }
  text += "]}}\n";
  return text;
}

std::string interval_summary(std::string_view host, const Tally& tally, bool outage, Nanos period, WallClock when) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
  // fping writes no space after this comma.
  return "{\"intSum\": {" + field("time", number(seconds)) + "," + field("host", quoted(host)) + ", " +
         counters(tally, outage, period, "loss") + rtt_fields(tally) + "}}\n";
}

std::string stats(const GlobalTally& tally) {
  const bool any = tally.replies_timed > 0;
  std::array<char, 64> elapsed{};
  std::snprintf(elapsed.data(), elapsed.size(), "%.3f", static_cast<double>(tally.elapsed) / 1e9);
  return "{\"stats\": {" + field("targets", number(static_cast<std::int64_t>(tally.targets))) + ", " +
         field("alive", number(static_cast<std::int64_t>(tally.alive))) + ", " +
         field("unreachable", number(static_cast<std::int64_t>(tally.unreachable))) + ", " +
         field("unknownAddresses", number(static_cast<std::int64_t>(tally.unknown_addresses))) + ", " +
         field("timeouts", number(tally.timeouts)) + ", " + field("icmpEchosSent", number(tally.echos_sent)) + ", " +
         field("icmpEchoRepliesReceived", number(tally.replies_received)) + ", " +
         field("otherIcmpReceived", number(tally.other_icmp)) + ", " +
         field("rttMin", format_ms(any ? tally.min_rtt : 0)) + ", " +
         field("rttAvg", format_ms(any ? tally.sum_rtt / tally.replies_timed : 0)) + ", " +
         field("rttMax", format_ms(any ? tally.max_rtt : 0)) + ", " + field("elapsed", elapsed.data()) + "}}\n";
}

std::string warning(std::string_view host, std::string_view message) {
  return "{\"warning\": {" + field("host", quoted(host)) + ", " + field("message", quoted(message)) + "}}\n";
}

}  // namespace uping::fping::json
