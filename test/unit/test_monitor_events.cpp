// The monitor's events: the exact text lines, and every JSON line parsed back with Boost.JSON
// (docs/json.md conventions: "v":1, "type", null for what is absent, times in Unix seconds).
#include <cerrno>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include "monitor/events.hpp"
#include "monitor_feed.hpp"

using namespace uping::monitor;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// 2026-12-01T13:52:11.123Z
constexpr WallTime kAt = std::chrono::milliseconds(1'796'133'131'123);
const EventTarget kDb1{"db1", "203.0.113.5"};

// One NDJSON line: one object, ended by a single '\n', with the fields every event has.
json::object parsed(const std::string& line, std::string_view type) {
  INFO(line);
  REQUIRE(!line.empty());
  REQUIRE(line.back() == '\n');
  REQUIRE(line.find('\n') == line.size() - 1);
  const json::value value = json::parse(line);
  REQUIRE(value.is_object());
  const auto& object = value.as_object();
  CHECK(object.at("v").as_int64() == 1);
  CHECK(object.at("type").as_string() == type);
  CHECK(object.at("time").is_number());
  return object;
}

template <typename Append>
std::string text_of(Append append) {
  std::string out;
  append(out, EventFormat::text);
  return out;
}

template <typename Append>
std::string json_of(Append append) {
  std::string out;
  append(out, EventFormat::json);
  return out;
}

}  // namespace

TEST_CASE("monitor events: outage started", "[monitor]") {
  const OutageStart start{kAt, Loss::timeout, 3};
  const auto append = [&](std::string& out, EventFormat format) { append_outage_start(out, format, kDb1, start); };
  CHECK(text_of(append) == "2026-12-01T13:52:11.123Z db1 (203.0.113.5): outage started: 3 probes lost (timeout)\n");
  const std::string line = json_of(append);
  CHECK(line ==
        "{\"v\":1,\"type\":\"outage_start\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"time\":1796133131.123,"
        "\"cause\":\"timeout\",\"probes_lost\":3}\n");
  const auto object = parsed(line, "outage_start");
  CHECK(object.at("time").as_double() == Approx(1796133131.123));

  std::string out;
  append_outage_start(out, EventFormat::text, kDb1, {kAt, Loss::icmp_error, 1});
  append_outage_start(out, EventFormat::text, kDb1, {kAt, Loss::send_error, 2});
  CHECK(out ==
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): outage started: 1 probe lost (ICMP error)\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): outage started: 2 probes lost (send error)\n");
  out.clear();
  append_outage_start(out, EventFormat::json, kDb1, {kAt, Loss::icmp_error, 1});
  CHECK(parsed(out, "outage_start").at("cause").as_string() == "icmp_error");
  out.clear();
  append_outage_start(out, EventFormat::json, kDb1, {kAt, Loss::send_error, 2});
  CHECK(parsed(out, "outage_start").at("cause").as_string() == "send_error");
}

TEST_CASE("monitor events: outage ended, by replies or otherwise", "[monitor]") {
  const OutageEnd end{kAt, kAt + 63'333ms, 64};
  const auto text = [&](EndedBy by) {
    return text_of([&](std::string& out, EventFormat format) { append_outage_end(out, format, kDb1, end, by); });
  };
  const std::string prefix = "2026-12-01T13:53:14.456Z db1 (203.0.113.5): outage ended after 63.333 s: 64 probes lost";
  CHECK(text(EndedBy::replies) == prefix + "\n");
  CHECK(text(EndedBy::exit) == prefix + " (still down when the monitor stopped)\n");
  CHECK(text(EndedBy::resolve) == prefix + " (the name now resolves to another address)\n");
  CHECK(text(EndedBy::reload) == prefix + " (the target was removed by a reload)\n");

  std::string line;
  append_outage_end(line, EventFormat::json, kDb1, end, EndedBy::replies);
  CHECK(line ==
        "{\"v\":1,\"type\":\"outage_end\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"time\":1796133194.456,"
        "\"start\":1796133131.123,\"duration_s\":63.333,\"probes_lost\":64,\"ended_by\":\"replies\"}\n");
  const std::pair<EndedBy, std::string_view> names[] = {{EndedBy::replies, "replies"},
                                                        {EndedBy::exit, "exit"},
                                                        {EndedBy::resolve, "resolve"},
                                                        {EndedBy::reload, "reload"}};
  for (const auto& [by, name] : names) {
    std::string out;
    append_outage_end(out, EventFormat::json, kDb1, end, by);
    const auto object = parsed(out, "outage_end");
    CHECK(object.at("ended_by").as_string() == name);
    CHECK(object.at("duration_s").as_double() == Approx(63.333));
    CHECK(object.at("probes_lost").as_int64() == 64);
  }
}

TEST_CASE("monitor events: the summary of a period", "[monitor]") {
  TargetMetrics metrics(3, 2);
  test::feed_reply(metrics, 100, 64, kAt, kAt);
  test::feed_reply(metrics, 200, 64, kAt + 1s, kAt + 1s);
  test::feed_reply(metrics, 300, 64, kAt + 2s, kAt + 2s);
  test::feed_loss(metrics, Loss::timeout, std::nullopt, kAt + 3s);
  const auto append = [&](std::string& out, EventFormat format) {
    append_summary(out, format, kDb1, metrics, kAt + 60s, 60s);
  };
  CHECK(text_of(append) ==
        "2026-12-01T13:53:11.123Z db1 (203.0.113.5): last 60 s: 4 sent, 3 received, 25% packet loss, "
        "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.081 ms, up\n");
  // p50 comes from the log-scale histogram (within 2 %, docs/json.md); min and max are exact.
  const std::string line = json_of(append);
  CHECK(line ==
        "{\"v\":1,\"type\":\"monitor_summary\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"time\":1796133191.123,"
        "\"period_s\":60,\"sent\":4,\"send_errors\":0,\"received\":3,\"duplicates\":0,\"errors\":0,\"timeouts\":1,"
        "\"loss_pct\":25,\"rtt_ms\":{\"min\":0.100,\"avg\":0.200,\"max\":0.300,\"mdev\":0.081,\"p50\":0.204,"
        "\"p90\":0.300,\"p95\":0.300,\"p99\":0.300},\"jitter_ms\":{\"rfc3550\":0.012,\"mean_diff\":0.100},"
        "\"up\":true}\n");
  const auto object = parsed(line, "monitor_summary");
  CHECK(object.at("rtt_ms").as_object().at("avg").as_double() == Approx(0.2));

  // Down, with every kind of loss and a duplicate; no reply: no RTT figures.
  TargetMetrics lost(2, 2);
  test::feed_loss(lost, Loss::icmp_error, IcmpErrorKind::host_unreachable, kAt);
  test::feed_loss(lost, Loss::send_error, std::nullopt, kAt + 1s);
  test::feed_loss(lost, Loss::timeout, std::nullopt, kAt + 2s);
  lost.duplicate(500);
  std::string out;
  append_summary(out, EventFormat::text, kDb1, lost, kAt, 10s);
  CHECK(out ==
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): last 10 s: 2 sent, 0 received, +1 duplicates, +1 errors, "
        "1 send errors, 100% packet loss, down\n");
  out.clear();
  append_summary(out, EventFormat::json, kDb1, lost, kAt, 10s);
  const auto down = parsed(out, "monitor_summary");
  CHECK(down.at("rtt_ms").is_null());
  CHECK(down.at("jitter_ms").is_null());
  CHECK(down.at("up").as_bool() == false);
  CHECK(down.at("send_errors").as_int64() == 1);
  CHECK(down.at("errors").as_int64() == 1);
  CHECK(down.at("duplicates").as_int64() == 1);
  CHECK(down.at("loss_pct").as_int64() == 100);

  // A period with nothing settled.
  out.clear();
  append_summary(out, EventFormat::text, kDb1, TargetMetrics(3, 2), kAt, 60s);
  CHECK(out == "2026-12-01T13:52:11.123Z db1 (203.0.113.5): last 60 s: 0 sent, 0 received, 0% packet loss, up\n");
}

TEST_CASE("monitor events: resolution and its failures", "[monitor]") {
  const EventTarget moved{"db1", "203.0.113.6"};
  std::string out;
  append_resolve(out, EventFormat::text, kDb1, "", kAt);
  append_resolve(out, EventFormat::text, moved, "203.0.113.5", kAt);
  CHECK(out ==
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): resolved to 203.0.113.5\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.6): now resolves to 203.0.113.6 (was 203.0.113.5)\n");
  out.clear();
  append_resolve(out, EventFormat::json, moved, "203.0.113.5", kAt);
  CHECK(out ==
        "{\"v\":1,\"type\":\"resolve\",\"target\":\"db1\",\"addr\":\"203.0.113.6\",\"previous\":\"203.0.113.5\","
        "\"time\":1796133131.123}\n");
  parsed(out, "resolve");
  out.clear();
  append_resolve(out, EventFormat::json, kDb1, "", kAt);
  CHECK(parsed(out, "resolve").at("previous").is_null());

  const EventTarget never{"db2", ""};
  out.clear();
  append_resolve_error(out, EventFormat::text, never, "Name or service not known", 4, kAt);
  append_resolve_error(out, EventFormat::text, kDb1, "Temporary failure in name resolution", 1, kAt);
  CHECK(out ==
        "2026-12-01T13:52:11.123Z db2: cannot resolve (4 in a row): Name or service not known\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): cannot resolve (1 in a row): Temporary failure in name "
        "resolution; still probing 203.0.113.5\n");
  out.clear();
  append_resolve_error(out, EventFormat::json, never, "Name or service not known", 4, kAt);
  CHECK(out ==
        "{\"v\":1,\"type\":\"resolve_error\",\"target\":\"db2\",\"addr\":null,\"time\":1796133131.123,"
        "\"error\":\"Name or service not known\",\"failures\":4}\n");
  const auto object = parsed(out, "resolve_error");
  CHECK(object.at("addr").is_null());
  CHECK(object.at("failures").as_int64() == 4);
}

TEST_CASE("monitor events: reload", "[monitor]") {
  std::string out;
  append_reload(out, EventFormat::text, true, "", 12, kAt);
  append_reload(out, EventFormat::text, true, "", 1, kAt);
  append_reload(out, EventFormat::text, false, "targets.txt: line 3: a NUL byte", 12, kAt);
  CHECK(out ==
        "2026-12-01T13:52:11.123Z reload: 12 targets watched\n"
        "2026-12-01T13:52:11.123Z reload: 1 target watched\n"
        "2026-12-01T13:52:11.123Z reload: failed, the 12 targets watched are kept: targets.txt: line 3: a NUL byte\n");
  out.clear();
  append_reload(out, EventFormat::json, true, "", 12, kAt);
  CHECK(out == "{\"v\":1,\"type\":\"reload\",\"time\":1796133131.123,\"ok\":true,\"targets\":12,\"error\":null}\n");
  parsed(out, "reload");
  out.clear();
  append_reload(out, EventFormat::json, false, "targets.txt: No such file or directory", 12, kAt);
  const auto failed = parsed(out, "reload");
  CHECK(failed.at("ok").as_bool() == false);
  CHECK(failed.at("error").as_string() == "targets.txt: No such file or directory");
}

TEST_CASE("monitor events: -v's replies, timeouts, ICMP errors and send errors", "[monitor]") {
  std::string out;
  append_reply(out, EventFormat::text, kDb1, 7, 52, 64, kAt);
  append_reply(out, EventFormat::text, kDb1, 8, 1234567, std::nullopt, kAt);
  append_timeout(out, EventFormat::text, kDb1, 9, kAt);
  append_icmp_error(out, EventFormat::text, kDb1, 10, "198.51.100.1", IcmpErrorKind::host_unreachable, 3, 1, kAt);
  append_send_error(out, EventFormat::text, kDb1, 11, ENETUNREACH, kAt);
  CHECK(out ==
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): seq=7 ttl=64 time=0.052 ms\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): seq=8 time=1234.567 ms\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): seq=9 timeout\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): seq=10 from 198.51.100.1: Destination Host Unreachable\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): seq=11 cannot send: Network is unreachable\n");

  std::string line;
  append_reply(line, EventFormat::json, kDb1, 7, 52, 64, kAt);
  CHECK(line ==
        "{\"v\":1,\"type\":\"reply\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"seq\":7,\"rtt_ms\":0.052,"
        "\"ttl\":64,\"time\":1796133131.123}\n");
  parsed(line, "reply");
  line.clear();
  append_reply(line, EventFormat::json, kDb1, 8, 52, std::nullopt, kAt);
  CHECK(parsed(line, "reply").at("ttl").is_null());
  line.clear();
  append_timeout(line, EventFormat::json, kDb1, 9, kAt);
  CHECK(line ==
        "{\"v\":1,\"type\":\"timeout\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"seq\":9,"
        "\"time\":1796133131.123}\n");
  parsed(line, "timeout");
  line.clear();
  append_icmp_error(line, EventFormat::json, kDb1, 10, "198.51.100.1", IcmpErrorKind::host_unreachable, 3, 1, kAt);
  CHECK(line ==
        "{\"v\":1,\"type\":\"icmp_error\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"seq\":10,"
        "\"from\":\"198.51.100.1\",\"icmp_type\":3,\"icmp_code\":1,\"text\":\"Destination Host Unreachable\","
        "\"kind\":\"host_unreachable\",\"time\":1796133131.123}\n");
  parsed(line, "icmp_error");
  line.clear();
  append_send_error(line, EventFormat::json, kDb1, 11, ENETUNREACH, kAt);
  CHECK(line ==
        "{\"v\":1,\"type\":\"send_error\",\"target\":\"db1\",\"addr\":\"203.0.113.5\",\"seq\":11,"
        "\"errno\":\"ENETUNREACH\",\"error\":\"Network is unreachable\",\"time\":1796133131.123}\n");
  parsed(line, "send_error");

  // IPv6: ICMPv6's wording, and no MTU of 0 where the MTU is not known.
  const EventTarget v6{"v6host", "2001:db8::5"};
  out.clear();
  append_icmp_error(out, EventFormat::text, v6, 1, "2001:db8::1", IcmpErrorKind::packet_too_big, 2, 0, kAt);
  append_icmp_error(out, EventFormat::text, kDb1, 2, "198.51.100.1", IcmpErrorKind::fragmentation_needed, 3, 4, kAt);
  CHECK(out ==
        "2026-12-01T13:52:11.123Z v6host (2001:db8::5): seq=1 from 2001:db8::1: Packet too big\n"
        "2026-12-01T13:52:11.123Z db1 (203.0.113.5): seq=2 from 198.51.100.1: Frag needed and DF set\n");
}

TEST_CASE("monitor events: hostile host names stay one valid line", "[monitor]") {
  const EventTarget hostile{"bad\xff\nname\"\\", "198.51.100.7"};
  std::string out;
  append_timeout(out, EventFormat::text, hostile, 1, kAt);
  CHECK(out == "2026-12-01T13:52:11.123Z bad\xEF\xBF\xBD?name\"\\ (198.51.100.7): seq=1 timeout\n");
  out.clear();
  append_timeout(out, EventFormat::json, hostile, 1, kAt);
  CHECK(parsed(out, "timeout").at("target").as_string() == "bad\xEF\xBF\xBD\nname\"\\");
  // An address given as the target is shown once.
  out.clear();
  append_timeout(out, EventFormat::text, {"198.51.100.7", "198.51.100.7"}, 1, kAt);
  CHECK(out == "2026-12-01T13:52:11.123Z 198.51.100.7: seq=1 timeout\n");
  // Times before the epoch (a clock set wrong) are shown as the epoch, never negative.
  out.clear();
  append_timeout(out, EventFormat::text, kDb1, 1, WallTime(-5));
  CHECK(out == "1970-01-01T00:00:00.000Z db1 (203.0.113.5): seq=1 timeout\n");
}
