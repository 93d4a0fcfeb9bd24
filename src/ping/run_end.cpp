#include "ping/session.hpp"

namespace uping {

std::string statistics_text(std::string_view name, const Statistics& stats, Micros elapsed, const Options& options) {
  report::Summary summary;
  summary.name = name;
  summary.stats = &stats;
  summary.elapsed = elapsed;
  summary.timing = options.payload_size >= icmp::kTimestampSize;
  summary.show_ipg_ewma = options.flood || options.adaptive || effective_interval_ms(options) == 0;
  return report::statistics_block(summary);
}

int exit_code_of(const Statistics& stats, const Options& options) {
  const bool short_of_count = options.deadline_seconds && options.count && stats.received() < *options.count;
  return stats.received() == 0 || short_of_count ? kExitNoReply : kExitOk;
}

}  // namespace uping
