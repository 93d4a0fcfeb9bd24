#include "monitor/http_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>

#include "monitor/http_session.hpp"

namespace uping::monitor {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// accept() failing for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS) fails again at once
// while the pending connection waits in the backlog: retrying without a pause would spin the CPU.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

std::string endpoint_text(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(asio::io_context& io, HttpLimits limits, HttpHandler handler)
      : io_(io), state_(std::make_shared<http_detail::ServerState>()), acceptor_(io), backoff_(io) {
    if (limits.max_connections == 0) limits.max_connections = 1;
    if (limits.max_requests_per_connection == 0) limits.max_requests_per_connection = 1;
    state_->limits = limits;
    state_->handler = std::move(handler);
  }

  std::optional<std::string> listen(const std::string& address, std::uint16_t port) {
    const auto where = endpoint_text(address, port);
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) return where + ": not a numeric address";
    const tcp::endpoint endpoint(ip, port);
    if (acceptor_.is_open()) acceptor_.close(ec);
    // Opened here rather than by asio: close-on-exec from the start.
    const int fd = ::socket(ip.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0 && errno == EAFNOSUPPORT && ip.is_v6() && ip.is_unspecified()) {
      return listen("0.0.0.0", port);  // ":PORT" on a kernel without IPv6: every IPv4 address
    }
    if (fd < 0) return where + ": " + std::system_category().message(errno);
    acceptor_.assign(endpoint.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      return where + ": " + ec.message();
    }
    const auto fail = [&](const boost::system::error_code& error) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      return where + ": " + error.message();
    };
    if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec) return fail(ec);
    // "::" (--listen :PORT) takes IPv4 connections too.
    if (ip.is_v6() && ip.is_unspecified()) acceptor_.set_option(asio::ip::v6_only(false), ec);
    if (acceptor_.bind(endpoint, ec); ec) return fail(ec);
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) return fail(ec);
    return std::nullopt;
  }

  void start() {
    if (!acceptor_.is_open() || accepting_ || state_->stopped) return;
    accepting_ = true;
    accept();
  }

  void stop() {
    state_->stopped = true;
    accepting_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    try {
      backoff_.cancel();
    } catch (...) {
    }
    std::vector<std::weak_ptr<http_detail::Session>> sessions;
    sessions.reserve(state_->sessions.size());
    for (const auto& entry : state_->sessions) sessions.push_back(entry.second);
    for (const auto& weak : sessions) {
      if (const auto session = weak.lock()) session->close();
    }
    state_->sessions.clear();
  }

  std::uint16_t port() const {
    boost::system::error_code ec;
    const auto endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
  }

  std::size_t connections() const noexcept { return state_->sessions.size(); }

 private:
  void accept() {
    acceptor_.async_accept(io_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      try {
        self->on_accept(ec, std::move(socket));
      } catch (...) {
        // bad_alloc for a session: that connection is dropped (its socket closes with it), the
        // server goes on accepting after a pause.
        self->back_off();
      }
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (state_->stopped || !accepting_) return;
    if (ec == asio::error::operation_aborted) return;
    if (ec == asio::error::connection_aborted) {  // the client gave up while queued: next one
      accept();
      return;
    }
    if (ec) {
      back_off();
      return;
    }
    if (state_->sessions.size() >= state_->limits.max_connections) {
      // Accepted and closed at once, so the backlog never fills and starves the connections that count.
      boost::system::error_code ignored;
      socket.close(ignored);
      accept();
      return;
    }
    ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
    // An answer's header and body may leave in two writes: without this, Nagle's algorithm holds the
    // second until the client's delayed ACK (tens of milliseconds per scrape on a kept-alive connection).
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<http_detail::Session>(std::move(socket), state_)->start();
    accept();
  }

  void back_off() {
    backoff_.expires_after(kAcceptBackoff);
    backoff_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->state_->stopped || !self->accepting_) return;
      try {
        self->accept();
      } catch (...) {
        self->back_off();
      }
    });
  }

  asio::io_context& io_;
  std::shared_ptr<http_detail::ServerState> state_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_;
  bool accepting_ = false;
};

HttpServer::HttpServer(asio::io_context& io, HttpLimits limits, HttpHandler handler)
    : impl_(std::make_shared<Impl>(io, limits, std::move(handler))) {}

HttpServer::~HttpServer() { impl_->stop(); }

std::optional<std::string> HttpServer::listen(const std::string& address, std::uint16_t port) {
  return impl_->listen(address, port);
}

void HttpServer::start() { impl_->start(); }

void HttpServer::stop() { impl_->stop(); }

std::uint16_t HttpServer::port() const { return impl_->port(); }

std::size_t HttpServer::connections() const noexcept { return impl_->connections(); }

namespace {

std::string_view trimmed(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool same_letters(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// "q=0", "q=0.", "q=0.000": the client refuses the coding.
bool refused(std::string_view parameters) noexcept {
  const std::string_view q = trimmed(parameters);
  if (q.size() < 3 || !same_letters(q.substr(0, 2), "q=")) return false;
  const std::string_view value = q.substr(2);
  return value[0] == '0' && value.find_first_not_of('0', value.size() > 1 && value[1] == '.' ? 2 : 1) ==
                                std::string_view::npos;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) noexcept {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semicolon = item.find(';');
    if (!same_letters(trimmed(item.substr(0, semicolon)), "gzip")) continue;
    return semicolon == std::string_view::npos || !refused(item.substr(semicolon + 1));
  }
  return false;
}

}  // namespace uping::monitor
