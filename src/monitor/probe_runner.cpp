#include "monitor/probe_runner.hpp"

#include <cmath>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "monitor/query.hpp"
#include "monitor/render.hpp"
#include "monitor/target_metrics.hpp"

namespace uping::monitor {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kBusyRetry = std::chrono::milliseconds(1);
// A probe never runs longer than this, whatever its parameters (spec §3.1).
constexpr auto kMaxProbeSpan = std::chrono::seconds(30);

HttpResponse text_response(unsigned status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  if (response.body.empty() || response.body.back() != '\n') response.body += '\n';
  return response;
}

}  // namespace

struct ProbeRunner::Probe {
  explicit Probe(asio::io_context& io) : timer(io) {}
  std::uint32_t serial = 0;
  ProbeQuery query;
  Responder respond;
  SocketAddress to;
  ProbeOutcome outcome;
  Clock::time_point start;
  std::uint32_t sent = 0;  // packets handed to the Pinger (send failures included)
  std::uint32_t settled = 0;
  asio::steady_timer timer;
};

ProbeRunner::ProbeRunner(asio::io_context& io, Pinger& pinger, ResolverPool& resolver, const MonitorOptions& options)
    : io_(io), pinger_(pinger), resolver_(resolver), options_(options) {}

ProbeRunner::~ProbeRunner() = default;

void ProbeRunner::handle(const HttpRequest& request, Responder respond) {
  const ProbeQueryResult parsed = parse_probe_query(request.target, options_.probe_limits);
  if (!parsed.query) return respond(text_response(400, parsed.error));
  if (options_.probe_allow.empty()) return respond(text_response(403, "/probe is off: no --probe-allow given"));
  if (probes_.size() >= options_.probe_max) {
    HttpResponse busy = text_response(
        503, "too many probes running (--probe-max " + std::to_string(options_.probe_max) + ")");
    busy.headers.emplace_back("Retry-After", "1");
    return respond(std::move(busy));
  }
  const ProbeQuery& query = *parsed.query;
  const auto span = query.interval * (query.count - 1) + query.timeout;
  const double span_seconds = std::chrono::duration<double>(span).count();
  if (request.scrape_timeout_seconds && span_seconds > *request.scrape_timeout_seconds) {
    return respond(text_response(400, "count, interval and timeout take " + std::to_string(span_seconds) +
                                          " s, more than the scrape timeout of " +
                                          std::to_string(*request.scrape_timeout_seconds) + " s"));
  }
  if (span > kMaxProbeSpan) {
    return respond(text_response(400, "count, interval and timeout take more than 30 s"));
  }
  auto probe = std::make_unique<Probe>(io_);
  probe->serial = next_serial_;
  next_serial_ = (next_serial_ + 1) & ~kProbeIdBit;
  probe->query = query;
  probe->respond = std::move(respond);
  probe->start = Clock::now();
  const std::uint32_t serial = probe->serial;
  probes_[serial] = std::move(probe);
  // A numeric target needs no thread; a name goes to the pool, once: the packets go to the very
  // address checked against --probe-allow.
  if (auto numeric = resolve_numeric(query.target, options_.family)) return resolved(serial, *numeric);
  resolver_.resolve(query.target, options_.family,
                    [this, serial](Resolution resolution) { resolved(serial, resolution); });
}

void ProbeRunner::resolved(std::uint32_t serial, const Resolution& resolution) {
  const auto found = probes_.find(serial);
  if (stopped_ || found == probes_.end()) return;
  Probe& probe = *found->second;
  probe.outcome.dns_time = Clock::now() - probe.start;
  if (const auto* error = std::get_if<ResolveError>(&resolution)) {
    (void)error;
    probe.outcome.dns_failed = true;
    finish(probe);
    return;
  }
  const Target& target = std::get<Target>(resolution);
  if (!options_.probe_allow.contains(target.address)) {
    Responder respond = std::move(probe.respond);
    probes_.erase(found);
    respond(text_response(403, "target not allowed by --probe-allow"));
    return;
  }
  probe.to = target.address;
  probe.outcome.family = target.address.family();
  send_next(probe);
}

void ProbeRunner::send_next(Probe& probe) {
  const ProbeToken token = (ProbeToken{probe.serial | kProbeIdBit} << 32U) | probe.sent;
  const SendResult result = pinger_.send(probe.to, token, probe.query.timeout);
  std::chrono::nanoseconds wait = probe.query.interval;
  if (result.status == SendStatus::busy) {
    wait = kBusyRetry;  // not sent: tried again shortly
  } else {
    ++probe.sent;  // a failure is settled by on_send_failure
    ++probe.outcome.sent;
    if (probe.sent >= probe.query.count) return;
  }
  const std::uint32_t serial = probe.serial;
  probe.timer.expires_after(wait);
  probe.timer.async_wait([this, serial](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    const auto found = probes_.find(serial);
    if (found != probes_.end()) send_next(*found->second);
  });
}

ProbeRunner::Probe* ProbeRunner::find(ProbeToken token) {
  const auto found = probes_.find(static_cast<std::uint32_t>(token >> 32U) & ~kProbeIdBit);
  return found == probes_.end() ? nullptr : found->second.get();
}

void ProbeRunner::on_reply(const Reply& reply) {
  Probe* probe = find(reply.token);
  if (probe == nullptr) return;
  if (!reply.after_error) {
    ++probe->outcome.received;
    probe->outcome.rtts.push_back(reply.rtt);
    if (reply.ttl) probe->outcome.last_ttl = reply.ttl;
  }
  if (!reply.after_error) settle(*probe);
}

void ProbeRunner::on_duplicate(const Reply& reply) {
  if (Probe* probe = find(reply.token)) ++probe->outcome.duplicates;
}

void ProbeRunner::on_timeout(const Timeout& timeout) {
  if (Probe* probe = find(timeout.token)) settle(*probe);
}

void ProbeRunner::on_icmp_error(const IcmpError& error) {
  Probe* probe = find(error.token);
  if (probe == nullptr) return;
  ++probe->outcome.icmp_errors[static_cast<std::size_t>(classify_icmp_error(error.family, error.type, error.code))];
  settle(*probe);
}

void ProbeRunner::on_send_failure(const SendFailure& failure) {
  if (Probe* probe = find(failure.token)) settle(*probe);
}

void ProbeRunner::settle(Probe& probe) {
  ++probe.settled;
  if (probe.settled >= probe.query.count) finish(probe);
}

void ProbeRunner::finish(Probe& probe) {
  probe.timer.cancel();
  probe.outcome.duration = Clock::now() - probe.start;
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  render_probe(probe.outcome, response.body);
  Responder respond = std::move(probe.respond);
  probes_.erase(probe.serial);  // `probe` is gone from here
  respond(std::move(response));
}

void ProbeRunner::stop() {
  stopped_ = true;
  for (auto& [serial, probe] : probes_) probe->timer.cancel();
  probes_.clear();
}

}  // namespace uping::monitor
