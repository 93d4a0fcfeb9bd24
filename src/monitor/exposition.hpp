#pragma once
// A writer of Prometheus' text exposition format 0.0.4 (what /metrics serves and what
// node_exporter's textfile collector reads): metric families with # HELP and # TYPE, samples with
// escaped label values, histograms as cumulative _bucket{le=...} lines with _sum and _count. Pure:
// it appends to the caller's string and never writes timestamps (the textfile collector refuses
// them). Names are the caller's constants; valid_metric_name() and valid_label_name() check them.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace uping::monitor {

enum class MetricType { counter, gauge, histogram };

struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::span<const Label>;

// A histogram's state as its owner keeps it: counts[i] observations fell at or below
// upper_bounds[i] (and above the previous bound); counts[upper_bounds.size()], when present, counts
// those above the highest bound. The writer makes the buckets cumulative and adds le="+Inf".
struct HistogramSnapshot {
  std::span<const double> upper_bounds;  // strictly increasing, finite
  std::span<const std::uint64_t> counts;
  double sum = 0.0;
};

// Takes the text written so far (the whole of `out`) and usually empties it: gzips it, sends it.
using ExpositionFlush = std::function<void(std::string& out)>;

class Exposition {
 public:
  explicit Exposition(std::string& out) : out_(out) {}
  // Hands `out` to `flush` after each whole series (a sample, a histogram) that leaves it holding
  // `flush_at` bytes or more, so a large exposition need never be held whole. The caller flushes
  // the rest when done.
  Exposition(std::string& out, ExpositionFlush flush, std::size_t flush_at = kFlushAt)
      : out_(out), flush_(std::move(flush)), flush_at_(flush_at) {}

  static constexpr std::size_t kFlushAt = std::size_t{64} << 10;

  // Starts a family: its # HELP and # TYPE lines. A counter's name gets "_total" unless it ends in it.
  void family(std::string_view name, MetricType type, std::string_view help);

  // One sample of the current counter or gauge family.
  void sample(Labels labels, double value);
  void sample(Labels labels, std::uint64_t value);
  void sample(std::initializer_list<Label> labels, double value) {
    sample(Labels(labels.begin(), labels.size()), value);
  }
  void sample(std::initializer_list<Label> labels, std::uint64_t value) {
    sample(Labels(labels.begin(), labels.size()), value);
  }

  // One labelled series of the current histogram family: _bucket lines, _sum, _count.
  void histogram(Labels labels, const HistogramSnapshot& snapshot);
  void histogram(std::initializer_list<Label> labels, const HistogramSnapshot& snapshot) {
    histogram(Labels(labels.begin(), labels.size()), snapshot);
  }

 private:
  void series_start(std::string_view suffix, Labels labels, const Label* extra);
  void series_end() {
    if (flush_ && out_.size() >= flush_at_) flush_(out_);
  }

  std::string& out_;
  ExpositionFlush flush_;
  std::size_t flush_at_ = kFlushAt;
  std::string name_;  // the current family's name (counters: with _total)
};

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved by Prometheus)
bool valid_label_name(std::string_view name);

// The pieces, for tests and for other writers.
// Escapes \ " and newline; bytes that are not UTF-8 become U+FFFD (Prometheus refuses them).
void append_label_value(std::string& out, std::string_view value);
void append_help_text(std::string& out, std::string_view help);  // escapes \ and newline
// A value as Prometheus parses it: +Inf, -Inf, NaN, integers up to 2^53 without exponent or
// fraction, everything else in the shortest form that reads back as the same double.
void append_value(std::string& out, double value);
void append_value(std::string& out, std::uint64_t value);

}  // namespace uping::monitor
