#include "fping/format.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>

namespace uping::fping {

namespace {

std::int64_t epoch_nanos(WallClock when) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
}

std::tm local_time(WallClock when) {
  const auto seconds = static_cast<std::time_t>(epoch_nanos(when) / 1'000'000'000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return tm;
}

using Buffer = std::array<char, 128>;

// The text snprintf left in `buffer` (formats stay literal at each call, for the compiler's checks).
std::string text_of(const Buffer& buffer, int length) {
  if (length <= 0) return {};
  return std::string(buffer.data(), std::min<std::size_t>(static_cast<std::size_t>(length), buffer.size() - 1));
}

// strftime's %c in the C locale fping runs in ("Tue Dec  1 10:58:33 2026"), whatever locale uping has.
std::string c_locale_ctime(const std::tm& tm) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const char* day = tm.tm_wday >= 0 && tm.tm_wday < 7 ? kDays.at(static_cast<std::size_t>(tm.tm_wday)) : "?";
  const char* month = tm.tm_mon >= 0 && tm.tm_mon < 12 ? kMonths.at(static_cast<std::size_t>(tm.tm_mon)) : "?";
  Buffer buffer{};
  return text_of(buffer, std::snprintf(buffer.data(), buffer.size(), "%s %s %2d %02d:%02d:%02d %d", day, month,
                                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900));
}

// The time text of -D without its brackets or quotes.
std::string timestamp_text(TimestampFormat format, WallClock when) {
  switch (format) {
    case TimestampFormat::ctime:
      return c_locale_ctime(local_time(when));
    case TimestampFormat::iso: {
      const std::tm tm = local_time(when);
      Buffer buffer{};
      return std::string(buffer.data(), std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%T%z", &tm));
    }
    case TimestampFormat::rfc3339: {
      const std::tm tm = local_time(when);
      Buffer buffer{};
      return std::string(buffer.data(), std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M:%S", &tm));
    }
    case TimestampFormat::epoch:
      break;
  }
  Buffer buffer{};
  return text_of(buffer,
                 std::snprintf(buffer.data(), buffer.size(), "%.5f", static_cast<double>(epoch_nanos(when)) / 1e9));
}

std::int64_t percent_lost(std::int64_t sent, std::int64_t received) {
  return sent > 0 ? (sent - received) * 100 / sent : 0;
}

}  // namespace

std::string format_ms(Nanos ns) {
  const double ms = static_cast<double>(ns) / 1e6;
  Buffer buffer{};
  int length = 0;
  // The branch is chosen before rounding: 0.9996 ms prints "1.000" and 9.996 ms "10.00", as in fping.
  if (ms < 0.0) {
    length = std::snprintf(buffer.data(), buffer.size(), "%.2g", ms);
  } else if (ms < 1.0) {
    length = std::snprintf(buffer.data(), buffer.size(), "%.3f", ms);
  } else if (ms < 10.0) {
    length = std::snprintf(buffer.data(), buffer.size(), "%.2f", ms);
  } else if (ms < 100.0) {
    length = std::snprintf(buffer.data(), buffer.size(), "%.1f", ms);
  } else if (ms < 1'000'000.0) {
    length = std::snprintf(buffer.data(), buffer.size(), "%.0f", ms);
  } else {
    length = std::snprintf(buffer.data(), buffer.size(), "%.3e", ms);
  }
  std::string text = text_of(buffer, length);
  // fping's buffer holds 9 characters; no int64 nanosecond count needs more, but keep the bound.
  if (text.size() > 9) text.resize(9);
  return text;
}

Nanos int_average(Nanos total, std::int64_t count) {
  if (count <= 0) return 0;
  return total / count;
}

std::string timestamp_prefix(TimestampFormat format, WallClock when) {
  return "[" + timestamp_text(format, when) + "] ";
}

std::string json_timestamp_field(TimestampFormat format, WallClock when) {
  return "\"timestamp\": \"" + timestamp_text(format, when) + "\", ";
}

std::string clock_line(WallClock when) {
  const std::tm tm = local_time(when);
  Buffer buffer{};
  return text_of(
      buffer, std::snprintf(buffer.data(), buffer.size(), "[%2.2d:%2.2d:%2.2d]\n", tm.tm_hour, tm.tm_min, tm.tm_sec));
}

std::string padded(std::string_view host, std::size_t width) {
  std::string text(host);
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string loss_or_return(std::int64_t sent, std::int64_t received, std::int64_t received_total) {
  if (received <= sent) return std::to_string(percent_lost(sent, received)) + "% loss)";
  return std::to_string(sent > 0 ? received_total * 100 / sent : 0) + "% return)";
}

std::string reply_text(std::string_view host_padded, std::uint32_t seq, std::size_t bytes, Nanos rtt, Nanos average,
                       std::int64_t sent, std::int64_t received, std::int64_t received_total) {
  std::string text(host_padded);
  text += " : [" + std::to_string(seq) + "], " + std::to_string(bytes) + " bytes, " + format_ms(rtt) + " ms";
  text += " (" + format_ms(average) + " avg, " + loss_or_return(sent, received, received_total);
  return text;
}

std::string timeout_line(std::string_view host_padded, std::uint32_t seq, const Tally& tally,
                         std::int64_t received_total) {
  std::string text(host_padded);
  text += " : [" + std::to_string(seq) + "], timed out";
  // This average is fping's 64-bit division: no int wrap here.
  text += tally.received > 0 ? " (" + format_ms(tally.total_rtt / tally.received) + " avg, " : " (NaN avg, ";
  text += loss_or_return(tally.sent, tally.received, received_total);
  text += '\n';
  return text;
}

std::string duplicate_text(std::string_view host, std::uint32_t seq, std::size_t bytes, Nanos rtt) {
  std::string text(host);
  text += " : duplicate for [" + std::to_string(seq) + "], " + std::to_string(bytes) + " bytes, " + format_ms(rtt) +
          " ms";
  return text;
}

std::int64_t outage_ms(const Tally& tally, Nanos period) {
  // fping: int lost × int64 period, divided by the double 1e6, truncated to int. The product is taken
  // in double here: -p 1e20 (int64's largest) times a lost probe must not overflow (fping's does).
  const double ms = static_cast<double>(tally.sent - tally.received) * static_cast<double>(period) / 1e6;
  return ms >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ms);
}

std::string summary_line(std::string_view host_padded, const Tally& tally, bool outage, Nanos period) {
  std::string text(host_padded);
  text += " :";
  const auto counts = std::to_string(tally.sent) + "/" + std::to_string(tally.received) + "/";
  if (tally.received <= tally.sent) {
    text += " xmt/rcv/%loss = " + counts + std::to_string(percent_lost(tally.sent, tally.received)) + "%";
    if (outage) text += ", outage(ms) = " + std::to_string(outage_ms(tally, period));
  } else {
    text += " xmt/rcv/%return = " + counts + std::to_string(tally.received * 100 / tally.sent) + "%";
  }
  if (tally.received > 0) {
    text += ", min/avg/max = " + format_ms(tally.min_rtt) + "/" +
            format_ms(int_average(tally.total_rtt, tally.received)) + "/" + format_ms(tally.max_rtt);
  }
  text += '\n';
  return text;
}

std::string all_rtts_line(std::string_view host_padded, const std::vector<Nanos>& times, std::int64_t sent) {
  std::string text(host_padded);
  text += " :";
  for (std::int64_t i = 0; i < sent; ++i) {
    const auto index = static_cast<std::size_t>(i);
    // Past the array (duplicates counted as probes by -C -q): fping reads beyond it; a lost mark here.
    const Nanos time = index < times.size() ? times[index] : kRespUnused;
    text += time >= 0 ? " " + format_ms(time) : std::string(" -");
  }
  text += '\n';
  return text;
}

std::string global_stats_block(const GlobalTally& tally) {
  std::string text = "\n";
  const auto count_line = [&text](std::int64_t value, const char* what) {
    Buffer buffer{};
    text += text_of(buffer, std::snprintf(buffer.data(), buffer.size(), " %7lld ", static_cast<long long>(value)));
    text += what;
    text += "\n";
  };
  count_line(static_cast<std::int64_t>(tally.targets), "targets");
  count_line(static_cast<std::int64_t>(tally.alive), "alive");
  count_line(static_cast<std::int64_t>(tally.unreachable), "unreachable");
  count_line(static_cast<std::int64_t>(tally.unknown_addresses), "unknown addresses");
  text += "\n";
  count_line(tally.timeouts, "timeouts (waiting for response)");
  count_line(tally.echos_sent, "ICMP Echos sent");
  count_line(tally.replies_received, "ICMP Echo Replies received");
  count_line(tally.other_icmp, "other ICMP received");
  text += "\n";
  const bool any = tally.replies_timed > 0;
  text += " " + format_ms(any ? tally.min_rtt : 0) + " ms (min round trip time)\n";
  text += " " + format_ms(any ? tally.sum_rtt / tally.replies_timed : 0) + " ms (avg round trip time)\n";
  text += " " + format_ms(any ? tally.max_rtt : 0) + " ms (max round trip time)\n";
  Buffer buffer{};
  text += text_of(buffer, std::snprintf(buffer.data(), buffer.size(), " %12.3f sec (elapsed real time)\n",
                                        static_cast<double>(tally.elapsed) / 1e9));
  text += "\n";
  return text;
}

std::string netdata_block(std::string_view name, std::string_view host, const Tally& interval, Nanos report_interval,
                          bool declare) {
  // Chart ids: every byte but ASCII letters and digits becomes '_', as fping rewrites the name.
  std::string id(name);
  for (char& c : id) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || std::isalnum(byte) == 0) c = '_';
  }
  Buffer buffer{};
  const std::string seconds = text_of(
      buffer, std::snprintf(buffer.data(), buffer.size(), "%.0f", static_cast<double>(report_interval) / 1e9));
  const std::string title = std::string(host);
  std::string text;
  if (declare) {
    text += "CHART fping." + id + "_packets '' 'FPing Packets' packets '" + title + "' fping.packets line 110020 " +
            seconds + "\n";
    text += "DIMENSION xmt sent absolute 1 1\nDIMENSION rcv received absolute 1 1\n";
  }
  text += "BEGIN fping." + id + "_packets\nSET xmt = " + std::to_string(interval.sent) +
          "\nSET rcv = " + std::to_string(interval.received) + "\nEND\n";
  if (declare) {
    text += "CHART fping." + id + "_quality '' 'FPing Quality' percentage '" + title + "' fping.quality area 110010 " +
            seconds + "\n";
    text += "DIMENSION returned '' absolute 1 1\n";
  }
  const std::int64_t returned = interval.sent > 0 ? interval.received * 100 / interval.sent : 0;
  text += "BEGIN fping." + id + "_quality\nSET returned = " + std::to_string(returned) + "\nEND\n";
  if (declare) {
    text += "CHART fping." + id + "_latency '' 'FPing Latency' ms '" + title + "' fping.latency area 110000 " +
            seconds + "\n";
    text +=
        "DIMENSION min minimum absolute 1 1000000\nDIMENSION max maximum absolute 1 1000000\n"
        "DIMENSION avg average absolute 1 1000000\n";
  }
  text += "BEGIN fping." + id + "_latency\n";
  if (interval.received > 0) {
    // Nanoseconds, and here the average is fping's 64-bit one.
    text += "SET min = " + std::to_string(interval.min_rtt) +
            "\nSET avg = " + std::to_string(interval.total_rtt / interval.received) +
            "\nSET max = " + std::to_string(interval.max_rtt) + "\n";
  }
  text += "END\n";
  return text;
}

std::string tos_ttl_text(const FpingOptions& options, std::optional<int> ttl, std::optional<int> tos) {
  std::string text;
  if (options.print_tos) text += tos ? " (TOS " + std::to_string(*tos) + ")" : std::string(" (TOS unknown)");
  if (options.print_ttl) text += ttl ? " (TTL " + std::to_string(*ttl) + ")" : std::string(" (TTL unknown)");
  return text;
}

std::string error_text(int error) {
  // The C library's text, as fping's strerror (neither sets a locale; uping's faces keep "C" for messages).
  return std::strerror(error);
}

}  // namespace uping::fping
