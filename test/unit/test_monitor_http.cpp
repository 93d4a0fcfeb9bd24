// HttpServer in-process on 127.0.0.1 port 0: the answers of the abuse list (docs/monitor-spec.md
// §3.3) and the lifetime rules of Responders and stop(). Every case is bounded by socket timeouts
// and short limits. Catch2's macros are used only on the test's thread, never in the client thread.
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http_test_support.hpp"
#include "monitor/http_server.hpp"

using http_test::Client;
using http_test::Clock;
using http_test::fast_limits;
using http_test::Harness;
using http_test::Reply;
using uping::monitor::HttpRequest;
using uping::monitor::HttpResponse;
using uping::monitor::Responder;
using namespace std::chrono_literals;

namespace {

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

}  // namespace

TEST_CASE("http: GET with keep-alive answers twice on one connection", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply first, second;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Prometheus-Scrape-Timeout-Seconds: 2.5\r\n\r\n");
    first = client.read_reply();
    client.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
    second = client.read_reply();
  });
  CHECK(first.status == 200);
  CHECK(first.body == "hello /metrics\n");
  CHECK(first.header("content-length") == "15");
  CHECK(first.header("content-type") == "text/plain; charset=utf-8");
  CHECK(first.header("server").rfind("uping/", 0) == 0);
  CHECK(first.header("connection") != "close");
  CHECK(second.status == 200);
  CHECK(second.body == "hello /other\n");
  CHECK(harness.handled == 2);
}

TEST_CASE("http: the scrape timeout header is passed on only when a positive number", "[monitor_http]") {
  Harness harness(fast_limits());
  std::vector<std::optional<double>> seen;
  for (const char* value : {"2.5", "10", "-1", "0", "abc", "1e3", "inf"}) {
    harness.with_client([&] {
      Client client(harness.port);
      client.send(std::string("GET / HTTP/1.1\r\nX-Prometheus-Scrape-Timeout-Seconds: ") + value + "\r\n\r\n");
      client.read_reply();
    });
    seen.push_back(harness.last_scrape_timeout);
  }
  REQUIRE(seen.size() == 7);
  CHECK(seen[0] == 2.5);
  CHECK(seen[1] == 10.0);
  for (std::size_t i = 2; i < seen.size(); ++i) CHECK_FALSE(seen[i].has_value());
}

TEST_CASE("http: HEAD sends the headers with GET's length and no body", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply head, get;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("HEAD /x HTTP/1.1\r\n\r\n");
    head = client.read_reply(true);
    // Had the body been sent, this response would start inside it.
    client.send("GET /x HTTP/1.1\r\n\r\n");
    get = client.read_reply();
  });
  CHECK(head.status == 200);
  CHECK(head.header("content-length") == "9");
  CHECK(head.body.empty());
  CHECK(get.status == 200);
  CHECK(get.body == "hello /x\n");
}

TEST_CASE("http: a handler's 404 passes through with its body and closes", "[monitor_http]") {
  Harness harness(fast_limits(), [](const HttpRequest&, Responder respond) {
    respond({404, "text/plain; charset=utf-8", "not found\n", {{"X-Extra", "1"}, {"Bad\r\nHeader", "x"}}});
  });
  Reply reply;
  bool closed = false;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET /nothing HTTP/1.1\r\n\r\n");
    reply = client.read_reply();
    closed = client.closed_by_server();
  });
  CHECK(reply.status == 404);
  CHECK(reply.body == "not found\n");
  CHECK(reply.header("x-extra") == "1");
  CHECK(reply.header("connection") == "close");
  CHECK(closed);
}

TEST_CASE("http: methods other than GET and HEAD get 405 with Allow", "[monitor_http]") {
  Harness harness(fast_limits());
  std::vector<Reply> replies;
  for (const char* request : {"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "DELETE / HTTP/1.1\r\n\r\n",
                              "FOO / HTTP/1.1\r\n\r\n"}) {
    harness.with_client([&] {
      Client client(harness.port);
      client.send(request);
      replies.push_back(client.read_reply());
    });
  }
  for (const auto& reply : replies) {
    CHECK(reply.status == 405);
    CHECK(reply.header("allow") == "GET, HEAD");
    CHECK(reply.header("connection") == "close");
  }
  CHECK(harness.handled == 0);
}

TEST_CASE("http: a malformed request line gets 400 and the connection closes", "[monitor_http]") {
  Harness harness(fast_limits());
  std::vector<Reply> replies;
  std::vector<bool> closed;
  for (const char* request : {"GARBAGE\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                              "GET / HTTP/1.1\r\nNo colon here\r\n\r\n"}) {
    harness.with_client([&] {
      Client client(harness.port);
      client.send(request);
      replies.push_back(client.read_reply());
      closed.push_back(client.closed_by_server());
    });
  }
  REQUIRE(replies.size() == 4);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    INFO("request " << i);
    CHECK(replies[i].status == 400);
    CHECK(replies[i].header("connection") == "close");
    CHECK(closed[i]);
  }
  CHECK(harness.handled == 0);
}

TEST_CASE("http: 10,000 headers get 431, a 1 MB URL 414", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply headers, url;
  harness.with_client([&] {
    Client client(harness.port);
    std::string request = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 10000; ++i) request += "X-H" + std::to_string(i) + ": v\r\n";
    request += "\r\n";
    client.send(request);
    headers = client.read_reply();
  });
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\n\r\n");
    url = client.read_reply();
  });
  CHECK(headers.status == 431);
  CHECK(headers.header("connection") == "close");
  CHECK(url.status == 414);
  CHECK(url.header("connection") == "close");
  CHECK(harness.handled == 0);
}

TEST_CASE("http: a single header line longer than the limit is 431, not 414", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply reply;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET / HTTP/1.1\r\n");
    client.send("X-Long: " + std::string(20000, 'v') + "\r\n\r\n");
    reply = client.read_reply();
  });
  CHECK(reply.status == 431);
}

TEST_CASE("http: a request with a body gets 413", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply length, chunked;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
    length = client.read_reply();
  });
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    chunked = client.read_reply();
  });
  CHECK(length.status == 413);
  CHECK(length.header("connection") == "close");
  CHECK(chunked.status == 413);
  CHECK(harness.handled == 0);
}

TEST_CASE("http: a request trickled byte by byte gets 408 at the header deadline", "[monitor_http]") {
  auto limits = fast_limits();
  limits.header_timeout = 300ms;
  limits.idle_timeout = 1000ms;
  Harness harness(limits);
  Reply reply;
  long took = 0;
  harness.with_client([&] {
    Client client(harness.port);
    const auto started = Clock::now();
    const std::string request = "GET /metrics HTTP/1.1\r\nHost: a-rather-long-host-name\r\n\r\n";
    // Every byte well inside the idle timeout; the whole far beyond the header deadline.
    for (char c : request) {
      if (!client.send(std::string_view(&c, 1))) break;
      std::this_thread::sleep_for(30ms);
      if (elapsed_ms(started) > 600) break;
    }
    reply = client.read_reply();
    took = elapsed_ms(started);
  });
  CHECK(reply.status == 408);
  CHECK(reply.header("connection") == "close");
  CHECK(took >= 280);
  CHECK(took < 800);
  CHECK(harness.handled == 0);
}

TEST_CASE("http: beyond max_connections connections are closed at once, the first still served", "[monitor_http]") {
  auto limits = fast_limits();
  limits.max_connections = 3;
  limits.idle_timeout = 1500ms;
  Harness harness(limits);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<Client>(harness.port, 1000ms));
  REQUIRE(harness.run_until([&] { return harness.server->connections() == 3; }));
  std::vector<bool> extra_closed;
  long took = 0;
  harness.with_client([&] {
    const auto started = Clock::now();
    for (int i = 0; i < 5; ++i) {
      Client extra(harness.port, 1000ms);
      extra.send("GET / HTTP/1.1\r\n\r\n");
      extra_closed.push_back(extra.closed_by_server() && extra.pending().empty());
    }
    took = elapsed_ms(started);
  });
  REQUIRE(extra_closed.size() == 5);
  for (bool closed : extra_closed) CHECK(closed);
  CHECK(took < 500);  // at once, not at a timeout
  CHECK(harness.server->connections() == 3);
  Reply reply;
  harness.with_client([&] {
    held[0]->send("GET /first HTTP/1.1\r\n\r\n");
    reply = held[0]->read_reply();
  });
  CHECK(reply.status == 200);
  CHECK(reply.body == "hello /first\n");
}

TEST_CASE("http: an idle connection is closed quietly, new or kept alive", "[monitor_http]") {
  auto limits = fast_limits();
  limits.idle_timeout = 200ms;
  Harness harness(limits);
  bool fresh_closed = false, kept_closed = false;
  long fresh_ms = 0, kept_ms = 0;
  std::string fresh_bytes;
  Reply reply;
  harness.with_client([&] {
    Client fresh(harness.port);
    auto started = Clock::now();
    fresh_closed = fresh.closed_by_server();
    fresh_ms = elapsed_ms(started);
    fresh_bytes = fresh.pending();
    Client kept(harness.port);
    kept.send("GET / HTTP/1.1\r\n\r\n");
    reply = kept.read_reply();
    started = Clock::now();
    kept_closed = kept.closed_by_server();
    kept_ms = elapsed_ms(started);
  });
  CHECK(fresh_closed);
  CHECK(fresh_bytes.empty());
  CHECK(fresh_ms >= 150);
  CHECK(fresh_ms < 700);
  CHECK(reply.status == 200);
  CHECK(kept_closed);
  CHECK(kept_ms < 700);
  CHECK(harness.run_until([&] { return harness.server->connections() == 0; }));
}

TEST_CASE("http: a client that never reads a large answer is closed at the write deadline", "[monitor_http]") {
  auto limits = fast_limits();
  limits.write_timeout = 300ms;
  Harness harness(limits, [](const HttpRequest&, Responder respond) {
    respond({200, "text/plain; charset=utf-8", std::string(std::size_t{16} << 20, 'x'), {}});
  });
  Client client(harness.port, 1000ms, 4096);
  REQUIRE(client.send("GET /big HTTP/1.1\r\n\r\n"));
  const auto started = Clock::now();
  REQUIRE(harness.run_until([&] { return harness.server->connections() == 1; }));
  CHECK(harness.run_until([&] { return harness.server->connections() == 0; }, 1500ms));
  CHECK(elapsed_ms(started) >= 250);
}

TEST_CASE("http: max_requests_per_connection closes after the last answer", "[monitor_http]") {
  auto limits = fast_limits();
  limits.max_requests_per_connection = 2;
  Harness harness(limits);
  Reply first, second;
  bool closed = false;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET /1 HTTP/1.1\r\n\r\n");
    first = client.read_reply();
    client.send("GET /2 HTTP/1.1\r\n\r\n");
    second = client.read_reply();
    closed = client.closed_by_server();
  });
  CHECK(first.header("connection") != "close");
  CHECK(second.status == 200);
  CHECK(second.header("connection") == "close");
  CHECK(closed);
}

TEST_CASE("http: pipelined requests are answered one after the other, in order", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply first, second;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    first = client.read_reply();
    second = client.read_reply();
  });
  CHECK(first.body == "hello /a\n");
  CHECK(second.body == "hello /b\n");
}

TEST_CASE("http: HTTP/1.0 without keep-alive is closed after the answer", "[monitor_http]") {
  Harness harness(fast_limits());
  Reply reply;
  bool closed = false;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET / HTTP/1.0\r\n\r\n");
    reply = client.read_reply();
    closed = client.closed_by_server();
  });
  CHECK(reply.status == 200);
  CHECK(closed);
}

TEST_CASE("http: a handler that throws gets 500, the server goes on", "[monitor_http]") {
  int calls = 0;
  Harness harness(fast_limits(), [&calls](const HttpRequest&, Responder respond) {
    if (++calls == 1) throw std::runtime_error("handler failed");
    respond({200, "text/plain; charset=utf-8", "ok\n", {}});
  });
  Reply failed, ok;
  harness.with_client([&] {
    Client client(harness.port);
    client.send("GET / HTTP/1.1\r\n\r\n");
    failed = client.read_reply();
    Client again(harness.port);
    again.send("GET / HTTP/1.1\r\n\r\n");
    ok = again.read_reply();
  });
  CHECK(failed.status == 500);
  CHECK(ok.status == 200);
}

TEST_CASE("http: a late answer is written; one after the client left, or a second one, does nothing", "[monitor_http]") {
  std::vector<Responder> pending;
  auto limits = fast_limits();
  limits.handler_timeout = 300ms;
  Harness harness(limits, [&pending](const HttpRequest&, Responder respond) { pending.push_back(std::move(respond)); });

  Client late(harness.port);
  late.send("GET /probe HTTP/1.1\r\n\r\n");
  REQUIRE(harness.run_until([&] { return pending.size() == 1; }));
  pending[0]({200, "text/plain; charset=utf-8", "late\n", {}});
  pending[0]({500, "text/plain; charset=utf-8", "twice\n", {}});  // ignored
  Reply reply;
  harness.with_client([&] { reply = late.read_reply(); });
  CHECK(reply.status == 200);
  CHECK(reply.body == "late\n");
  late.close();

  Client gone(harness.port);
  gone.send("GET /probe HTTP/1.1\r\n\r\n");
  REQUIRE(harness.run_until([&] { return pending.size() == 2; }));
  gone.close();
  // The handler's deadline closes the connection; the Responder outlives it.
  REQUIRE(harness.run_until([&] { return harness.server->connections() == 0; }));
  pending[1]({200, "text/plain; charset=utf-8", "too late\n", {}});
  harness.run_until([] { return false; }, 50ms);
  CHECK(harness.server->connections() == 0);

  // Past the handler's deadline with the client still there: closed without an answer.
  bool closed = false;
  harness.with_client([&] {
    Client slow(harness.port);
    slow.send("GET /probe HTTP/1.1\r\n\r\n");
    closed = slow.closed_by_server() && slow.pending().empty();
  });
  CHECK(closed);
  REQUIRE(pending.size() == 3);
  pending[2]({200, "text/plain; charset=utf-8", "too late\n", {}});

  // And after the server itself is gone.
  Client last(harness.port);
  last.send("GET /probe HTTP/1.1\r\n\r\n");
  REQUIRE(harness.run_until([&] { return pending.size() == 4; }));
  harness.server.reset();
  pending[3]({200, "text/plain; charset=utf-8", "no server\n", {}});
  harness.run_until([] { return false; }, 50ms);
}

TEST_CASE("http: stop() closes every connection and leaves the io_context without work", "[monitor_http]") {
  std::vector<Responder> pending;
  auto limits = fast_limits();
  limits.idle_timeout = 5000ms;
  limits.handler_timeout = 5000ms;
  Harness harness(limits, [&pending](const HttpRequest& request, Responder respond) {
    if (request.target == "/hold") {
      pending.push_back(std::move(respond));
    } else {
      respond({200, "text/plain; charset=utf-8", "ok\n", {}});
    }
  });
  Client idle(harness.port, 1000ms), partial(harness.port, 1000ms), holding(harness.port, 1000ms);
  partial.send("GET / HTTP/1.1\r\nHost:");
  holding.send("GET /hold HTTP/1.1\r\n\r\n");
  REQUIRE(harness.run_until([&] { return harness.server->connections() == 3 && pending.size() == 1; }));
  harness.server->stop();
  CHECK(harness.server->connections() == 0);
  // Everything of the server's completes (cancelled) at once: run() returns for want of work.
  const auto started = Clock::now();
  harness.io.restart();
  harness.io.run_for(2s);
  CHECK(harness.io.stopped());
  CHECK(elapsed_ms(started) < 1000);
  pending[0]({200, "text/plain; charset=utf-8", "after stop\n", {}});
  harness.io.restart();
  CHECK(harness.io.poll() == 0);
  bool all_closed = false;
  harness.with_client([&] {
    all_closed = idle.closed_by_server() && partial.closed_by_server() && holding.closed_by_server() &&
                 holding.pending().empty();
  });
  CHECK(all_closed);
  // Nothing accepts any more.
  Client refused(harness.port, 500ms);
  CHECK_FALSE(refused.connected());
}

TEST_CASE("http: listen reports one line when the address is taken or not numeric", "[monitor_http]") {
  Harness harness(fast_limits());
  boost::asio::io_context io;
  uping::monitor::HttpServer second(io, fast_limits(), [](const HttpRequest&, Responder) {});
  const auto taken = second.listen("127.0.0.1", harness.port);
  REQUIRE(taken.has_value());
  CHECK(*taken == "127.0.0.1:" + std::to_string(harness.port) + ": Address already in use");
  const auto name = second.listen("localhost", 9375);
  REQUIRE(name.has_value());
  CHECK(*name == "localhost:9375: not a numeric address");
  CHECK_FALSE(second.listen("::1", 0).has_value());
  CHECK(second.port() != 0);
}
