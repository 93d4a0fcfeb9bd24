#include "monitor/http_session.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <system_error>

#include <boost/asio/socket_base.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>

#include "uping/version.hpp"

namespace uping::monitor::http_detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kReadChunk = 4096;
// After an answer that closes the connection, what the client still sends is read and dropped for a
// moment: closing with unread bytes would send a reset, which can discard the answer at the client
// (a 414 to a client still sending its megabyte).
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr std::size_t kLingerMaxBytes = std::size_t{16} << 20;

std::string server_header() { return std::string("uping/") + kVersion; }

// Over-long request line (no CRLF yet: the parser has taken nothing) → 414; headers → 431.
unsigned status_for(const beast::error_code& ec, bool request_line_complete) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return request_line_complete ? 431 : 414;
  }
  if (ec == http::error::body_limit || ec == http::error::unexpected_body) return 413;
  return 400;
}

std::optional<double> positive_seconds(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value) || value <= 0) return std::nullopt;
  return value;
}

bool safe_header_text(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, std::shared_ptr<ServerState> server)
    : server_(std::move(server)),
      stream_(std::move(socket)),
      deadline_(stream_.get_executor()),
      buffer_(server_->limits.header_limit + kReadChunk) {}

Session::~Session() {
  const auto found = server_->sessions.find(this);
  if (found != server_->sessions.end()) server_->sessions.erase(found);
}

template <class Step>
void Session::guarded(Step&& step) noexcept {
  // Nothing may throw into io_context::run: a failure (bad_alloc) costs this connection only.
  try {
    step();
  } catch (...) {
    close();
  }
}

void Session::start() {
  server_->sessions.emplace(this, weak_from_this());
  wait_for_request();
}

void Session::close() noexcept {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  awaiting_ = 0;
  ++deadline_token_;
  try {
    deadline_.cancel();
  } catch (...) {
  }
  stream_.close();
  server_->sessions.erase(this);
}

void Session::wait_for_request() {
  phase_ = Phase::idle;
  head_ = false;
  version_ = 11;
  consumed_ = 0;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(server_->limits.header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(0);
  if (buffer_.size() > 0) {  // the client sent the next request with the last one
    begin_header();
    parse_buffer();
    return;
  }
  // An idle connection's timeout closes it quietly (tcp_stream closes the socket on expiry).
  stream_.expires_after(server_->limits.idle_timeout);
  read_more();
}

void Session::read_more() {
  const std::size_t room = buffer_.max_size() - buffer_.size();
  if (room == 0) {
    respond_error(status_for(http::error::buffer_overflow, consumed_ > 0));
    return;
  }
  stream_.async_read_some(buffer_.prepare(std::min(room, kReadChunk)),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->guarded([&] { self->on_read(ec, bytes); });
                          });
}

void Session::on_read(beast::error_code ec, std::size_t bytes) {
  if (phase_ == Phase::closed) return;
  buffer_.commit(bytes);
  if (phase_ == Phase::lingering) {
    lingered_bytes_ += bytes;
    buffer_.consume(buffer_.size());
    if (ec || lingered_bytes_ > kLingerMaxBytes) {
      close();
    } else {
      drain();
    }
    return;
  }
  if (phase_ == Phase::header && header_expired_) {
    respond_error(408);
    return;
  }
  if (ec) {  // the client left, reset, or stayed idle too long
    close();
    return;
  }
  if (phase_ == Phase::idle) begin_header();
  parse_buffer();
}

void Session::begin_header() {
  // One deadline for the whole request, from its first byte: a trickle gets 408. tcp_stream's own
  // expiry would close the socket before a 408 could be written, hence a timer of our own.
  phase_ = Phase::header;
  header_expired_ = false;
  stream_.expires_never();
  arm_deadline(server_->limits.header_timeout, Phase::header);
}

void Session::parse_buffer() {
  for (;;) {
    beast::error_code ec;
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    consumed_ += used;
    if (ec == http::error::need_more || (!ec && !parser_->is_done() && (used == 0 || buffer_.size() == 0))) {
      read_more();
      return;
    }
    if (ec) {
      respond_error(status_for(ec, consumed_ > 0));
      return;
    }
    if (parser_->is_done()) {
      dispatch();
      return;
    }
  }
}

void Session::dispatch() {
  ++deadline_token_;
  deadline_.cancel();
  phase_ = Phase::handler;
  const auto& request = parser_->get();
  ++served_;
  version_ = request.version() == 10 ? 10 : 11;
  keep_alive_ = request.keep_alive() && served_ < server_->limits.max_requests_per_connection;
  const auto method = request.method();
  if (method != http::verb::get && method != http::verb::head) {
    respond_error(405, {{"Allow", "GET, HEAD"}});
    return;
  }
  head_ = method == http::verb::head;
  if (server_->stopped) {
    close();
    return;
  }
  HttpRequest view;
  view.head = head_;
  view.target = std::string_view(request.target().data(), request.target().size());
  if (const auto found = request.find("X-Prometheus-Scrape-Timeout-Seconds"); found != request.end()) {
    view.scrape_timeout_seconds = positive_seconds(std::string_view(found->value().data(), found->value().size()));
  }
  if (const auto found = request.find(http::field::accept_encoding); found != request.end()) {
    view.accepts_gzip = accepts_gzip(std::string_view(found->value().data(), found->value().size()));
  }
  const std::uint64_t seq = ++request_seq_;
  awaiting_ = seq;
  arm_deadline(server_->limits.handler_timeout, Phase::handler);
  Responder responder = [weak = weak_from_this(), seq](HttpResponse response) {
    if (const auto self = weak.lock()) self->guarded([&] { self->respond(seq, std::move(response)); });
  };
  try {
    server_->handler(view, std::move(responder));
  } catch (...) {
    if (phase_ == Phase::handler && awaiting_ == seq) {
      awaiting_ = 0;
      respond_error(500);
    }
  }
}

void Session::respond(std::uint64_t request, HttpResponse response) {
  if (phase_ != Phase::handler || request == 0 || awaiting_ != request) return;  // late, twice, or closed
  awaiting_ = 0;
  ++deadline_token_;
  deadline_.cancel();
  write_response(response.status, std::move(response.content_type), std::move(response.body), response.headers);
}

void Session::respond_error(unsigned status, ExtraHeaders headers) {
  ++deadline_token_;
  deadline_.cancel();
  awaiting_ = 0;
  keep_alive_ = false;
  const auto reason = http::obsolete_reason(http::int_to_status(status));
  write_response(status, "text/plain; charset=utf-8", std::string(reason.data(), reason.size()) + "\n", headers);
}

void Session::write_response(unsigned status, std::string content_type, std::string body,
                             const ExtraHeaders& headers) {
  phase_ = Phase::writing;
  if (status >= 400) keep_alive_ = false;  // every error answer closes the connection
  response_ = Response{};
  response_.version(version_);
  response_.result(status);
  response_.set(http::field::server, server_header());
  if (!safe_header_text(content_type)) content_type = "text/plain; charset=utf-8";
  response_.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) {
    // The framing headers are the server's; a CR or LF would split the response.
    if (name.empty() || !safe_header_text(name) || !safe_header_text(value)) continue;
    const auto field = http::string_to_field(name);
    if (field == http::field::content_length || field == http::field::connection ||
        field == http::field::transfer_encoding || field == http::field::server) {
      continue;
    }
    response_.insert(name, value);
  }
  response_.content_length(body.size());  // HEAD too: the length of what GET would send
  if (!head_) response_.body() = std::move(body);
  response_.keep_alive(keep_alive_);
  stream_.expires_after(server_->limits.write_timeout);  // a client that never reads is closed
  boost::beast::http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->guarded([&] { self->on_write(ec); });
  });
}

void Session::on_write(beast::error_code ec) {
  if (phase_ == Phase::closed) return;
  if (ec) {
    close();
    return;
  }
  stream_.expires_never();
  response_ = Response{};  // memory back between requests
  if (keep_alive_ && !server_->stopped) {
    wait_for_request();
  } else {
    linger();
  }
}

void Session::linger() {
  phase_ = Phase::lingering;
  lingered_bytes_ = 0;
  beast::error_code ec;
  stream_.socket().shutdown(asio::socket_base::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  buffer_.consume(buffer_.size());
  stream_.expires_after(std::min(kLingerTimeout, server_->limits.write_timeout));
  drain();
}

void Session::drain() {
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->guarded([&] { self->on_read(ec, bytes); });
                          });
}

void Session::arm_deadline(std::chrono::milliseconds after, Phase phase) {
  const std::uint64_t token = ++deadline_token_;
  deadline_.expires_after(after);
  deadline_.async_wait([self = shared_from_this(), token, phase](beast::error_code ec) {
    if (ec || token != self->deadline_token_ || self->phase_ != phase) return;
    self->guarded([&] { self->on_deadline(phase); });
  });
}

void Session::on_deadline(Phase phase) {
  if (phase == Phase::header) {
    // The pending read completes with operation_aborted (or already has) and answers 408.
    header_expired_ = true;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
    return;
  }
  close();  // the handler did not answer in time: nothing sensible to send
}

}  // namespace uping::monitor::http_detail
