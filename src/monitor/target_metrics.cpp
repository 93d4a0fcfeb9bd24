#include "monitor/target_metrics.hpp"

#include <algorithm>

namespace uping::monitor {
namespace {

constexpr Micros kFirstBoundMicros = 50;

// ICMP types and codes (RFC 792, RFC 1812, RFC 4443) that name a kind.
constexpr std::uint8_t kV4DestinationUnreachable = 3;
constexpr std::uint8_t kV4TimeExceeded = 11;
constexpr std::uint8_t kV4ParameterProblem = 12;
constexpr std::uint8_t kV6DestinationUnreachable = 1;
constexpr std::uint8_t kV6PacketTooBig = 2;
constexpr std::uint8_t kV6TimeExceeded = 3;
constexpr std::uint8_t kV6ParameterProblem = 4;

IcmpErrorKind classify_v4(std::uint8_t type, std::uint8_t code) noexcept {
  switch (type) {
    case kV4DestinationUnreachable:
      switch (code) {
        case 0:
          return IcmpErrorKind::net_unreachable;
        case 1:
          return IcmpErrorKind::host_unreachable;
        case 2:
          return IcmpErrorKind::protocol_unreachable;
        case 3:
          return IcmpErrorKind::port_unreachable;
        case 4:
          return IcmpErrorKind::fragmentation_needed;
        case 9:   // network administratively prohibited
        case 10:  // host administratively prohibited
        case 13:  // communication administratively prohibited (RFC 1812)
          return IcmpErrorKind::admin_prohibited;
        default:
          return IcmpErrorKind::other_unreachable;
      }
    case kV4TimeExceeded:
      if (code == 0) return IcmpErrorKind::ttl_exceeded;
      if (code == 1) return IcmpErrorKind::reassembly_exceeded;
      return IcmpErrorKind::other;
    case kV4ParameterProblem:
      return IcmpErrorKind::parameter_problem;
    default:
      return IcmpErrorKind::other;
  }
}

IcmpErrorKind classify_v6(std::uint8_t type, std::uint8_t code) noexcept {
  switch (type) {
    case kV6DestinationUnreachable:
      switch (code) {
        case 0:  // no route to destination
          return IcmpErrorKind::net_unreachable;
        case 1:
          return IcmpErrorKind::admin_prohibited;
        case 3:  // address unreachable
          return IcmpErrorKind::host_unreachable;
        case 4:
          return IcmpErrorKind::port_unreachable;
        default:
          return IcmpErrorKind::other_unreachable;
      }
    case kV6PacketTooBig:
      return IcmpErrorKind::packet_too_big;
    case kV6TimeExceeded:
      if (code == 0) return IcmpErrorKind::ttl_exceeded;
      if (code == 1) return IcmpErrorKind::reassembly_exceeded;
      return IcmpErrorKind::other;
    case kV6ParameterProblem:
      return IcmpErrorKind::parameter_problem;
    default:
      return IcmpErrorKind::other;
  }
}

constexpr std::array<double, kRttBuckets> make_bounds() {
  std::array<double, kRttBuckets> bounds{};
  // (50 << k) / 1e6 is the double nearest each bound, so it prints as smokeping's Go does.
  for (std::size_t k = 0; k < kRttBuckets; ++k) bounds[k] = static_cast<double>(kFirstBoundMicros << k) / 1e6;
  return bounds;
}
constexpr std::array<double, kRttBuckets> kBoundsSeconds = make_bounds();

constexpr double kMicrosPerSecond = 1e6;

}  // namespace

std::string_view label_of(IcmpErrorKind kind) noexcept {
  switch (kind) {
    case IcmpErrorKind::net_unreachable:
      return "net_unreachable";
    case IcmpErrorKind::host_unreachable:
      return "host_unreachable";
    case IcmpErrorKind::protocol_unreachable:
      return "protocol_unreachable";
    case IcmpErrorKind::port_unreachable:
      return "port_unreachable";
    case IcmpErrorKind::fragmentation_needed:
      return "fragmentation_needed";
    case IcmpErrorKind::admin_prohibited:
      return "admin_prohibited";
    case IcmpErrorKind::other_unreachable:
      return "other_unreachable";
    case IcmpErrorKind::ttl_exceeded:
      return "ttl_exceeded";
    case IcmpErrorKind::reassembly_exceeded:
      return "reassembly_exceeded";
    case IcmpErrorKind::packet_too_big:
      return "packet_too_big";
    case IcmpErrorKind::parameter_problem:
      return "parameter_problem";
    case IcmpErrorKind::other:
      return "other";
  }
  return "other";
}

IcmpErrorKind classify_icmp_error(icmp::Family family, std::uint8_t type, std::uint8_t code) noexcept {
  return family == icmp::Family::v4 ? classify_v4(type, code) : classify_v6(type, code);
}

std::span<const double> rtt_bucket_bounds_seconds() noexcept { return kBoundsSeconds; }

std::size_t rtt_bucket_index(Micros rtt) noexcept {
  // Integer comparisons against 50 µs · 2^k: no rounding decides a bucket.
  for (std::size_t k = 0; k < kRttBuckets; ++k) {
    if (rtt <= (kFirstBoundMicros << k)) return k;
  }
  return kRttBuckets;
}

TargetMetrics::TargetMetrics(std::uint32_t down_after, std::uint32_t up_after) : outage_(down_after, up_after) {}

std::optional<OutageEnd> TargetMetrics::reply(Micros rtt, std::optional<int> ttl, WallTime sent, WallTime received) {
  rtt = std::max<Micros>(rtt, 0);  // a clock step backwards, as Statistics takes it
  ++total_.requests;
  ++total_.replies;
  ++total_.rtt_buckets[rtt_bucket_index(rtt)];
  total_.rtt_sum_us += static_cast<std::uint64_t>(rtt);
  if (ttl) total_.last_ttl = ttl;
  total_.last_reply = received;
  jitter_.record(rtt);
  ++period_.sent;
  ++period_.received;
  period_rtt_.record(rtt);
  return outage_.replied(sent);
}

void TargetMetrics::duplicate(Micros rtt) {
  rtt = std::max<Micros>(rtt, 0);
  ++total_.duplicates;
  ++period_.duplicates;
  // As the sweep's summary: its min/avg/max/mdev and percentiles take duplicates too.
  period_rtt_.record(rtt, true);
}

std::optional<OutageStart> TargetMetrics::loss(Loss loss, std::optional<IcmpErrorKind> kind, WallTime sent) {
  ++total_.requests;
  switch (loss) {
    case Loss::timeout:
      ++total_.timeouts;
      ++period_.timeouts;
      ++period_.sent;
      break;
    case Loss::icmp_error:
      ++total_.icmp_errors[static_cast<std::size_t>(kind.value_or(IcmpErrorKind::other))];
      ++period_.errors;
      ++period_.sent;
      break;
    case Loss::send_error:
      ++total_.send_errors;
      ++period_.send_errors;
      break;
  }
  return outage_.lost(loss, sent);
}

std::optional<double> TargetMetrics::jitter_seconds() const noexcept {
  const auto smoothed = jitter_.smoothed();
  if (!smoothed) return std::nullopt;
  return *smoothed / kMicrosPerSecond;
}

void TargetMetrics::start_period() noexcept {
  period_ = PeriodCounters{};
  period_rtt_.clear();
}

}  // namespace uping::monitor
