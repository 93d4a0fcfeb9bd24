#pragma once
// For test_monitor_http.cpp: the HttpServer on 127.0.0.1 port 0 with its io_context run in bounded
// steps on the test's thread, and a blocking POSIX client (every call bounded by socket timeouts)
// on a second thread.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "monitor/http_server.hpp"

namespace http_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;  // 0: no complete response (closed, reset or timed out first)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
};

class Client {
 public:
  explicit Client(std::uint16_t port, std::chrono::milliseconds timeout = 2000ms, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // One response: the header, then Content-Length bytes of body (none for a HEAD).
  Reply read_reply(bool head = false) {
    Reply reply;
    std::size_t header_end;
    while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!receive()) return reply;
    }
    const std::string header = pending_.substr(0, header_end);
    pending_.erase(0, header_end + 4);
    std::size_t line_end = header.find("\r\n");
    const std::string status_line = header.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return reply;
    const int status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = header.find("\r\n", start);
      const std::string line = header.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      reply.headers[name] = value;
    }
    const std::size_t length = head ? 0 : std::stoul(reply.header("content-length").empty() ? "0" : reply.header("content-length"));
    while (pending_.size() < length) {
      if (!receive()) return reply;
    }
    reply.body = pending_.substr(0, length);
    pending_.erase(0, length);
    reply.status = status;
    return reply;
  }

  // Whether the server closed (EOF or reset) within the socket timeout; bytes before that are kept.
  bool closed_by_server() {
    for (;;) {
      char chunk[4096];
      const auto got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got == 0) return true;
      if (got < 0) return errno == ECONNRESET;
      pending_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  const std::string& pending() const { return pending_; }

 private:
  bool receive() {
    char chunk[65536];
    const auto got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) return false;
    pending_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

// The server, its io_context, and a way to run a client thread against it.
class Harness {
 public:
  explicit Harness(uping::monitor::HttpLimits limits, uping::monitor::HttpHandler handler = {}) {
    if (!handler) {
      handler = [this](const uping::monitor::HttpRequest& request, uping::monitor::Responder respond) {
        ++handled;
        last_target = std::string(request.target);
        last_scrape_timeout = request.scrape_timeout_seconds;
        respond({200, "text/plain; charset=utf-8", "hello " + last_target + "\n", {}});
      };
    }
    server = std::make_unique<uping::monitor::HttpServer>(io, limits, std::move(handler));
    const auto failure = server->listen("127.0.0.1", 0);
    REQUIRE_FALSE(failure.has_value());
    server->start();
    port = server->port();
    REQUIRE(port != 0);
  }

  // Runs the io_context while `client` runs on its own thread; bounded by `bound` and by the
  // client's socket timeouts.
  void with_client(const std::function<void()>& client, std::chrono::milliseconds bound = 3000ms) {
    std::atomic<bool> done{false};
    std::thread thread([&] {
      client();
      done = true;
    });
    const auto deadline = Clock::now() + bound;
    while (!done && Clock::now() < deadline) step();
    thread.join();
  }

  // Runs the io_context until `condition` holds or `bound` passes; whether it held.
  bool run_until(const std::function<bool()>& condition, std::chrono::milliseconds bound = 2000ms) {
    const auto deadline = Clock::now() + bound;
    while (!condition()) {
      if (Clock::now() >= deadline) return false;
      step();
    }
    return true;
  }

  void step() {
    if (io.stopped()) io.restart();
    if (io.run_for(5ms) == 0 && io.stopped()) std::this_thread::sleep_for(1ms);
  }

  boost::asio::io_context io{1};
  std::unique_ptr<uping::monitor::HttpServer> server;
  std::uint16_t port = 0;
  std::atomic<int> handled{0};
  std::string last_target;
  std::optional<double> last_scrape_timeout;
};

inline uping::monitor::HttpLimits fast_limits() {
  uping::monitor::HttpLimits limits;
  limits.header_timeout = 500ms;
  limits.idle_timeout = 500ms;
  limits.write_timeout = 500ms;
  limits.handler_timeout = 500ms;
  return limits;
}

}  // namespace http_test
