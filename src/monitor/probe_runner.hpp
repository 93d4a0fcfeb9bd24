#pragma once
// /probe: a few packets to one address on the monitor's own Pinger (ids with kProbeIdBit set, so
// they never meet a watched address's), answered with a blackbox-style exposition once every
// packet is settled. The gates, in order: the query (400), an empty --probe-allow (403),
// --probe-max probes at once (503, Retry-After: 1), the scrape timeout header (400), the resolved
// address inside --probe-allow (403). A name that does not resolve is a probe that ran: 200 with
// probe_dns_lookup_failed 1.

#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "monitor/http_server.hpp"
#include "monitor/options.hpp"
#include "monitor/target_set.hpp"
#include "system/resolver_pool.hpp"
#include "uping/pinger.hpp"

namespace boost::asio {
class io_context;
}

namespace uping::monitor {

class ProbeRunner {
 public:
  ProbeRunner(boost::asio::io_context& io, Pinger& pinger, ResolverPool& resolver, const MonitorOptions& options);
  ~ProbeRunner();
  ProbeRunner(const ProbeRunner&) = delete;
  ProbeRunner& operator=(const ProbeRunner&) = delete;

  static bool owns(ProbeToken token) noexcept { return ((token >> 32U) & kProbeIdBit) != 0; }

  void handle(const HttpRequest& request, Responder respond);

  void on_reply(const Reply& reply);
  void on_duplicate(const Reply& reply);
  void on_timeout(const Timeout& timeout);
  void on_icmp_error(const IcmpError& error);
  void on_send_failure(const SendFailure& failure);

  std::size_t running() const noexcept { return probes_.size(); }
  void stop();  // at exit: every probe forgotten, no answer sent

 private:
  struct Probe;

  Probe* find(ProbeToken token);
  void resolved(std::uint32_t serial, const Resolution& resolution);
  void send_next(Probe& probe);
  void settle(Probe& probe);
  void finish(Probe& probe);

  boost::asio::io_context& io_;
  Pinger& pinger_;
  ResolverPool& resolver_;
  const MonitorOptions& options_;
  std::unordered_map<std::uint32_t, std::unique_ptr<Probe>> probes_;
  std::uint32_t next_serial_ = 0;
  bool stopped_ = false;
};

}  // namespace uping::monitor
