#include "monitor/exposition.hpp"

#include <charconv>
#include <cmath>

#include "cli/ndjson.hpp"

namespace uping::monitor {
namespace {

constexpr std::string_view kTotal = "_total";

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

// Integers a double holds exactly print as integers: 1e+06 would parse, but reads badly.
constexpr double kLargestExactInteger = 9007199254740992.0;  // 2^53
constexpr std::size_t kValueBuffer = 32;

std::string_view format_value(double value, char (&buffer)[kValueBuffer]) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::to_chars_result result{};
  if (value == std::trunc(value) && std::fabs(value) <= kLargestExactInteger) {
    if (value == 0.0) value = 0.0;  // no "-0"
    result = std::to_chars(buffer, buffer + kValueBuffer, value, std::chars_format::fixed);
  } else if (std::fabs(value) >= 1e-4 && std::fabs(value) < kLargestExactInteger) {
    // Shortest digits that read back the same, without exponent from 0.0001 up, as Go's %g writes
    // them: le="0.0005" is what other exporters' buckets and people's dashboards say.
    result = std::to_chars(buffer, buffer + kValueBuffer, value, std::chars_format::fixed);
  } else {
    result = std::to_chars(buffer, buffer + kValueBuffer, value, std::chars_format::scientific);
  }
  return {buffer, static_cast<std::size_t>(result.ptr - buffer)};
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || is_digit(name.front())) return false;
  for (const char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_' && c != ':') return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || is_digit(name.front()) || name.starts_with("__")) return false;
  for (const char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

void append_label_value(std::string& out, std::string_view value) {
  // The characters to escape are ASCII, never inside a UTF-8 sequence, so repairing the runs
  // between them gives the same bytes as repairing the whole value.
  for (;;) {
    const std::size_t special = value.find_first_of("\\\"\n");
    ndjson::append_valid_utf8(out, value.substr(0, special));
    if (special == std::string_view::npos) return;
    switch (value[special]) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        out += "\\n";
    }
    value.remove_prefix(special + 1);
  }
}

void append_help_text(std::string& out, std::string_view help) {
  for (const char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_value(std::string& out, double value) {
  char buffer[kValueBuffer];
  out += format_value(value, buffer);
}

void append_value(std::string& out, std::uint64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void Exposition::family(std::string_view name, MetricType type, std::string_view help) {
  name_.assign(name);
  if (type == MetricType::counter && !name.ends_with(kTotal)) name_ += kTotal;
  out_ += "# HELP ";
  out_ += name_;
  out_ += ' ';
  append_help_text(out_, help);
  out_ += "\n# TYPE ";
  out_ += name_;
  out_ += ' ';
  out_ += type_name(type);
  out_ += '\n';
}

void Exposition::series_start(std::string_view suffix, Labels labels, const Label* extra) {
  out_ += name_;
  out_ += suffix;
  if (!labels.empty() || extra != nullptr) {
    out_ += '{';
    bool first = true;
    const auto one = [&](const Label& label) {
      if (!first) out_ += ',';
      first = false;
      out_ += label.name;
      out_ += "=\"";
      append_label_value(out_, label.value);
      out_ += '"';
    };
    for (const Label& label : labels) one(label);
    if (extra != nullptr) one(*extra);
    out_ += '}';
  }
  out_ += ' ';
}

void Exposition::sample(Labels labels, double value) {
  series_start({}, labels, nullptr);
  append_value(out_, value);
  out_ += '\n';
  series_end();
}

void Exposition::sample(Labels labels, std::uint64_t value) {
  series_start({}, labels, nullptr);
  append_value(out_, value);
  out_ += '\n';
  series_end();
}

void Exposition::histogram(Labels labels, const HistogramSnapshot& snapshot) {
  std::uint64_t cumulative = 0;
  char bound_text[kValueBuffer];
  for (std::size_t i = 0; i < snapshot.upper_bounds.size(); ++i) {
    if (i < snapshot.counts.size()) cumulative += snapshot.counts[i];
    const Label le{"le", format_value(snapshot.upper_bounds[i], bound_text)};
    series_start("_bucket", labels, &le);
    append_value(out_, cumulative);
    out_ += '\n';
  }
  for (std::size_t i = snapshot.upper_bounds.size(); i < snapshot.counts.size(); ++i) cumulative += snapshot.counts[i];
  const Label infinity{"le", "+Inf"};
  series_start("_bucket", labels, &infinity);
  append_value(out_, cumulative);
  out_ += '\n';
  series_start("_sum", labels, nullptr);
  append_value(out_, snapshot.sum);
  out_ += '\n';
  series_start("_count", labels, nullptr);
  append_value(out_, cumulative);
  out_ += '\n';
  series_end();
}

}  // namespace uping::monitor
