#pragma once
// A small reader of Prometheus' text format 0.0.4 for tests: it parses a whole exposition and
// lists what Prometheus or promtool would refuse or silently mangle (spec §2.2: promtool accepts
// several of these, so tests must catch them themselves). Checks: the final newline; a family's
// HELP/TYPE given once and its samples together (not split around another family, not repeated);
// every sample's family has a TYPE; no timestamp field; label syntax and escapes (only \\ \" \n),
// label values UTF-8, no label twice; the same series never twice; counters end in _total and
// nothing else does; histograms: le last, bounds ascending, counts cumulative, le="+Inf" present
// and equal to _count, _sum and _count present. Header-only, for any unit test.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uping::test {

struct ExpositionSample {
  std::string name;                                         // as written (with _bucket, _sum, _count)
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped, in order
  double value = 0;
  std::string value_text;
};

struct ExpositionReport {
  std::vector<std::string> errors;           // empty: the exposition is sound
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram|...
  std::vector<ExpositionSample> samples;

  bool ok() const { return errors.empty(); }
  std::string text() const {
    std::string all;
    for (const auto& error : errors) all += error + "\n";
    return all;
  }
  // The value of the one sample with this name and exactly these labels (in any order).
  std::optional<double> value(std::string_view name,
                              std::vector<std::pair<std::string, std::string>> labels = {}) const {
    std::sort(labels.begin(), labels.end());
    for (const auto& sample : samples) {
      auto sorted = sample.labels;
      std::sort(sorted.begin(), sorted.end());
      if (sample.name == name && sorted == labels) return sample.value;
    }
    return std::nullopt;
  }
  std::size_t count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(samples.begin(), samples.end(), [&](const auto& sample) { return sample.name == name; }));
  }
};

namespace exposition_detail {

inline bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
inline bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

inline bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80                    ? 1
                         : lead >= 0xC2 && lead <= 0xDF ? 2
                         : lead >= 0xE0 && lead <= 0xEF ? 3
                         : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                        : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    const auto second = static_cast<unsigned char>(length > 1 ? text[i + 1] : 0);
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) || (lead == 0xF0 && second < 0x90) ||
        (lead == 0xF4 && second > 0x8F)) {
      return false;
    }
    i += length;
  }
  return true;
}

inline std::optional<double> parse_value(std::string_view text) {
  if (text == "+Inf" || text == "Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  if (text.empty() || text == "inf" || text == "nan") return std::nullopt;
  double value = 0;
  const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
  const auto result = std::from_chars(begin, text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || std::isnan(value)) return std::nullopt;
  return value;
}

struct HistogramSeries {
  std::vector<std::pair<double, double>> buckets;  // (le, count) in order
  std::optional<double> sum;
  std::optional<double> count;
  bool le_not_last = false;
};

}  // namespace exposition_detail

inline ExpositionReport check_exposition(std::string_view text) {
  using namespace exposition_detail;
  ExpositionReport report;
  auto& errors = report.errors;
  if (!text.empty() && text.back() != '\n') errors.push_back("no newline at the end");
  std::set<std::string> closed;  // families whose samples are over
  std::string current;           // the family being written
  std::set<std::string> helped;
  std::set<std::string> series_seen;
  std::map<std::string, HistogramSeries> histograms;  // family + labels without le
  const auto enter = [&](const std::string& family, std::size_t line_number) {
    if (family == current) return true;
    if (closed.count(family)) {
      errors.push_back("line " + std::to_string(line_number) + ": family " + family + " split or repeated");
      return false;
    }
    if (!current.empty()) closed.insert(current);
    current = family;
    return true;
  };
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    if (line.empty()) continue;
    if (line.front() == '#') {
      const bool help = line.starts_with("# HELP ");
      const bool type = line.starts_with("# TYPE ");
      if (!help && !type) continue;  // a comment
      const std::string_view rest = line.substr(7);
      const std::size_t space = rest.find(' ');
      const std::string name(rest.substr(0, space));
      if (space == std::string_view::npos) {
        errors.push_back(where + "HELP/TYPE without text");
        continue;
      }
      if (help) {
        if (!helped.insert(name).second) errors.push_back(where + "second HELP for " + name);
        const std::string_view help_text = rest.substr(space + 1);
        for (std::size_t i = 0; i < help_text.size(); ++i) {
          if (help_text[i] == '\\' &&
              (i + 1 == help_text.size() || (help_text[i + 1] != '\\' && help_text[i + 1] != 'n'))) {
            errors.push_back(where + "bad escape in HELP");
          }
          if (help_text[i] == '\\') ++i;
        }
      } else {
        const std::string kind(rest.substr(space + 1));
        if (report.types.count(name)) errors.push_back(where + "second TYPE for " + name);
        if (kind != "counter" && kind != "gauge" && kind != "histogram" && kind != "summary" && kind != "untyped") {
          errors.push_back(where + "unknown type " + kind);
        }
        const bool total = name.size() > 6 && name.ends_with("_total");
        if (kind == "counter" && !total) errors.push_back(where + "counter " + name + " does not end in _total");
        if (kind != "counter" && total) errors.push_back(where + kind + " " + name + " ends in _total");
        report.types[name] = kind;
      }
      enter(name, line_number);
      continue;
    }
    // A sample: name, optional {labels}, one space, value, nothing else.
    ExpositionSample sample;
    std::size_t i = 0;
    if (!name_start(line[0])) {
      errors.push_back(where + "bad metric name");
      continue;
    }
    while (i < line.size() && name_char(line[i])) ++i;
    sample.name = std::string(line.substr(0, i));
    bool bad = false;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (!bad && i < line.size() && line[i] != '}') {
        const std::size_t label_start = i;
        if (!name_start(line[i]) || line[i] == ':') bad = true;
        while (!bad && i < line.size() && name_char(line[i]) && line[i] != ':') ++i;
        const std::string label(line.substr(label_start, i - label_start));
        if (bad || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
          bad = true;
          break;
        }
        i += 2;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) {
              bad = true;
              break;
            }
            const char escaped = line[i + 1];
            if (escaped == '\\' || escaped == '"') {
              value += escaped;
            } else if (escaped == 'n') {
              value += '\n';
            } else {
              errors.push_back(where + "label escape \\" + std::string(1, escaped));
              bad = true;
              break;
            }
            i += 2;
          } else {
            value += line[i++];
          }
        }
        if (bad || i >= line.size()) {
          bad = true;
          break;
        }
        ++i;  // closing quote
        if (!valid_utf8(value)) errors.push_back(where + "label " + label + " is not UTF-8");
        for (const auto& [other, unused] : sample.labels) {
          if (other == label) errors.push_back(where + "label " + label + " twice");
        }
        sample.labels.emplace_back(label, value);
        if (i < line.size() && line[i] == ',') {
          ++i;
          if (i < line.size() && line[i] == '}') bad = true;  // the writer never leaves a trailing comma
        } else if (i < line.size() && line[i] != '}') {
          bad = true;
        }
      }
      if (bad || i >= line.size()) {
        errors.push_back(where + "bad labels");
        continue;
      }
      ++i;  // closing brace
    }
    if (i >= line.size() || line[i] != ' ') {
      errors.push_back(where + "no value");
      continue;
    }
    const std::string_view fields = line.substr(i + 1);
    const std::size_t space = fields.find(' ');
    if (space != std::string_view::npos) errors.push_back(where + "a field after the value (a timestamp?)");
    sample.value_text = std::string(fields.substr(0, space));
    const auto value = parse_value(sample.value_text);
    if (!value) {
      errors.push_back(where + "bad value " + sample.value_text);
      continue;
    }
    sample.value = *value;

    // Its family: a histogram's _bucket/_sum/_count belong to the histogram.
    std::string family = sample.name;
    std::string suffix;
    for (const std::string candidate : {"_bucket", "_sum", "_count"}) {
      if (sample.name.ends_with(candidate)) {
        const std::string base = sample.name.substr(0, sample.name.size() - candidate.size());
        const auto type = report.types.find(base);
        if (type != report.types.end() && type->second == "histogram") {
          family = base;
          suffix = candidate;
        }
      }
    }
    const auto type = report.types.find(family);
    if (type == report.types.end()) errors.push_back(where + "sample of " + family + " without a TYPE");
    if (type != report.types.end() && type->second == "histogram" && suffix.empty()) {
      errors.push_back(where + "histogram sample without _bucket/_sum/_count");
    }
    enter(family, line_number);
    auto sorted = sample.labels;
    std::sort(sorted.begin(), sorted.end());
    std::string key = sample.name;
    for (const auto& [name, value_of_label] : sorted) key += "\x1f" + name + "=" + value_of_label;
    if (!series_seen.insert(key).second) errors.push_back(where + "series " + sample.name + " twice");

    if (!suffix.empty()) {
      std::string series = family;
      std::optional<double> le;
      bool le_last = true;
      for (std::size_t k = 0; k < sample.labels.size(); ++k) {
        const auto& [name, value_of_label] = sample.labels[k];
        if (name == "le") {
          le = parse_value(value_of_label);
          if (!le) errors.push_back(where + "bad le " + value_of_label);
          le_last = k + 1 == sample.labels.size();
        } else {
          series += "\x1f" + name + "=" + value_of_label;
        }
      }
      HistogramSeries& h = histograms[series];
      if (suffix == "_bucket") {
        if (!le) {
          errors.push_back(where + "bucket without le");
        } else {
          if (!le_last) h.le_not_last = true;
          h.buckets.emplace_back(*le, sample.value);
        }
      } else if (suffix == "_sum") {
        h.sum = sample.value;
      } else {
        h.count = sample.value;
      }
    }
    report.samples.push_back(std::move(sample));
  }
  for (const auto& [series, h] : histograms) {
    std::string name = series.substr(0, series.find('\x1f'));
    if (h.le_not_last) errors.push_back(name + ": le is not the last label");
    for (std::size_t k = 1; k < h.buckets.size(); ++k) {
      if (!(h.buckets[k].first > h.buckets[k - 1].first)) errors.push_back(name + ": buckets not ascending");
      if (h.buckets[k].second < h.buckets[k - 1].second) errors.push_back(name + ": buckets not cumulative");
    }
    if (h.buckets.empty() || !std::isinf(h.buckets.back().first)) {
      errors.push_back(name + ": no le=\"+Inf\" bucket");
    } else if (!h.count || h.buckets.back().second != *h.count) {
      errors.push_back(name + ": le=\"+Inf\" differs from _count");
    }
    if (!h.sum) errors.push_back(name + ": no _sum");
    if (!h.count) errors.push_back(name + ": no _count");
  }
  return report;
}

}  // namespace uping::test
