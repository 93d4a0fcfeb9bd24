#pragma once
// One connection of HttpServer (private to http_server.cpp and http_session.cpp): reads one request
// at a time under the limits of HttpLimits, hands it to the handler, writes the one answer, then
// reads the next (no pipelining queue: at most one response is buffered).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "monitor/http_server.hpp"

namespace uping::monitor::http_detail {

class Session;

// What the server and its sessions share. Sessions hold it, so it outlives HttpServer until their
// last (cancelled) operation has completed; `stopped` keeps the handler from being called then.
struct ServerState {
  HttpLimits limits;
  HttpHandler handler;
  bool stopped = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // the live connections
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> server);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();           // registers with the server, waits for the first request
  void close() noexcept;  // at once, without an answer; unregisters

 private:
  enum class Phase { idle, header, handler, writing, lingering, closed };
  using Parser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using ExtraHeaders = std::vector<std::pair<std::string, std::string>>;

  void wait_for_request();
  void read_more();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void begin_header();
  void parse_buffer();
  void dispatch();
  void respond(std::uint64_t request, HttpResponse response);
  void respond_error(unsigned status, ExtraHeaders headers = {});
  void write_response(unsigned status, std::string content_type, std::string body, const ExtraHeaders& headers);
  void on_write(boost::beast::error_code ec);
  void linger();
  void drain();
  void arm_deadline(std::chrono::milliseconds after, Phase phase);
  void on_deadline(Phase phase);
  template <class Step>
  void guarded(Step&& step) noexcept;

  std::shared_ptr<ServerState> server_;
  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer deadline_;  // the header deadline and the handler's
  std::uint64_t deadline_token_ = 0;    // a deadline that fired after it was replaced does nothing
  boost::beast::flat_buffer buffer_;    // bounded: header_limit plus one read
  std::optional<Parser> parser_;
  Response response_;
  Phase phase_ = Phase::idle;
  bool header_expired_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  std::size_t consumed_ = 0;        // bytes of this request the parser took (the request line, once complete)
  std::size_t served_ = 0;          // requests on this connection
  std::uint64_t request_seq_ = 0;   // numbers the Responders handed out
  std::uint64_t awaiting_ = 0;      // the one Responder that may still answer, 0 for none
  std::size_t lingered_bytes_ = 0;  // read and dropped after an answer that closes
};

}  // namespace uping::monitor::http_detail
