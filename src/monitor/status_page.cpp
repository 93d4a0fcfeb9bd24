// render_status_page: `/` for a person with a browser. Small, static: no script, no external
// resource, every string from the configuration HTML-escaped.
#include <cstdio>

#include "cli/ndjson.hpp"
#include "monitor/render.hpp"

namespace uping::monitor {
namespace {

void append_escaped(std::string& out, std::string_view text) {
  std::string valid;
  ndjson::append_valid_utf8(valid, text);
  for (const char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters would be invisible or worse in a cell.
        out += (static_cast<unsigned char>(c) < ' ' || c == '\x7f') ? '?' : c;
    }
  }
}

void append_number(std::string& out, std::uint64_t value) { out += std::to_string(value); }

// Milliseconds with three decimals, as the other faces print round trips.
void append_millis(std::string& out, Micros micros) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld", static_cast<long long>(micros / 1000),
                static_cast<long long>(micros % 1000));
  out += buffer;
}

void cell(std::string& out, std::string_view text, bool escape = true) {
  out += "<td>";
  if (escape) {
    append_escaped(out, text);
  } else {
    out += text;
  }
  out += "</td>";
}

void row(std::string& out, const TargetView& target) {
  out += "<tr>";
  cell(out, target.host);
  cell(out, target.ip.empty() ? "-" : target.ip);
  const TargetMetrics* metrics = target.ip.empty() ? nullptr : target.metrics;
  if (metrics == nullptr) {
    out += R"(<td class="down">unresolved</td>)";
  } else {
    out += metrics->up() ? R"(<td class="up">up</td>)" : R"(<td class="down">down</td>)";
  }
  std::string text;
  if (target.last_rtt && metrics != nullptr) {
    append_millis(text, std::max<Micros>(*target.last_rtt, 0));
  } else {
    text = "-";
  }
  cell(out, text, false);
  const ProbeCounters empty;
  const ProbeCounters& total = metrics != nullptr ? metrics->total() : empty;
  std::uint64_t icmp_errors = 0;
  for (const auto count : total.icmp_errors) icmp_errors += count;
  for (const std::uint64_t value : {total.requests, total.replies, total.timeouts, icmp_errors, total.send_errors,
                                    metrics != nullptr ? metrics->outages() : 0, target.resolve_failures}) {
    text.clear();
    append_number(text, value);
    cell(out, text, false);
  }
  out += "</tr>\n";
}

}  // namespace

void render_status_page(const MonitorView& view, std::string& out) {
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>uping monitor</title>\n"
      "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
      "td,th{border:1px solid #999;padding:2px 6px;text-align:right}td:first-child,td:nth-child(2){text-align:left}"
      ".up{color:#060}.down{color:#b00;font-weight:bold}</style>\n</head>\n<body>\n<h1>uping monitor</h1>\n<p>";
  out += "uping ";
  append_escaped(out, view.version);
  out += " &middot; ";
  append_number(out, view.targets.size());
  out += view.targets.size() == 1 ? " target" : " targets";
  if (!view.last_reload_ok) out += " &middot; <span class=\"down\">last reload failed</span>";
  out +=
      " &middot; <a href=\"metrics\">metrics</a></p>\n<table>\n<tr><th>host</th><th>ip</th><th>state</th>"
      "<th>last RTT (ms)</th><th>probes</th><th>replies</th><th>timeouts</th><th>ICMP errors</th>"
      "<th>send errors</th><th>outages</th><th>resolve failures</th></tr>\n";
  for (const TargetView& target : view.targets) row(out, target);
  out += "</table>\n</body>\n</html>\n";
}

}  // namespace uping::monitor
