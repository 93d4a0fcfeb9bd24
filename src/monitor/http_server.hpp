#pragma once
// The monitor's HTTP/1.1 server (Boost.Beast) with the limits a port open to a network needs: a
// connection cap, one deadline for a whole request's header (a byte-a-second trickle gets 408), a
// write deadline (a client that never reads is dropped), bounded request size (10,000 headers:
// 431, a 1 MB URL: 414, a body: 413), GET and HEAD only (405), malformed requests 400, every error
// answered with "Connection: close". It knows nothing of ICMP: requests that pass go to the
// handler, which answers now or later (/probe) through its Responder.
//
// Threads: everything runs on the io_context's one thread (the monitor's Pinger is there too).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace uping::monitor {

struct HttpLimits {
  std::size_t max_connections = 64;  // more are accepted and closed at once (no answer)
  std::chrono::milliseconds header_timeout{5000};  // the whole request header, from its first byte
  std::chrono::milliseconds idle_timeout{5000};    // a kept-alive connection waiting for a request
  std::chrono::milliseconds write_timeout{5000};   // one response
  // A handler's answer (a /probe runs up to 30 s); past it the connection is closed.
  std::chrono::milliseconds handler_timeout{60000};
  std::size_t header_limit = 8192;              // request line + headers, bytes
  std::size_t max_requests_per_connection = 100;
};

struct HttpRequest {
  bool head = false;        // HEAD: the server sends the headers only
  std::string_view target;  // "/probe?target=..." as received (not decoded)
  // Prometheus' X-Prometheus-Scrape-Timeout-Seconds, when present and a positive number.
  std::optional<double> scrape_timeout_seconds;
  bool accepts_gzip = false;  // Accept-Encoding names gzip (Prometheus always sends it)
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones ("Retry-After", "Allow")
};

// Call once, on the io_context's thread, now or later; calling it after the connection went away
// (timeout, client closed, server stopped) does nothing.
using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, Responder)>;

// Whether an Accept-Encoding value accepts gzip: the token, case-insensitive, without q=0.
bool accepts_gzip(std::string_view accept_encoding) noexcept;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpLimits limits, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (SO_REUSEADDR, close-on-exec) before the privilege drop; accepts nothing yet.
  // One line on failure ("127.0.0.1:9375: Address already in use"), else empty.
  std::optional<std::string> listen(const std::string& address, std::uint16_t port);
  void start();  // begins accepting: after the privilege drop
  void stop();   // closes the acceptor and every connection; pending Responders do nothing
  std::uint16_t port() const;  // the bound port (listen with port 0 picks one)
  std::size_t connections() const noexcept;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace uping::monitor
