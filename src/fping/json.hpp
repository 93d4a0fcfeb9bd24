#pragma once
// fping 5.5's -J records (src/output.c, src/stats.c, src/fping.c; doc/fping-json.md): one object per
// line, with fping's exact spacing (including intSum's missing space after "time"). One deliberate
// difference: strings are escaped as JSON requires, where fping inserts host names raw.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fping/book.hpp"
#include "fping/format.hpp"

namespace uping::fping::json {

// `text` as a JSON string, quotes included: `"` `\` and control characters escaped.
std::string quoted(std::string_view text);

// {"resp": {[ts, ]"host": …, "seq": …, "size": …, "rtt": …[, "tos": …][, "ttl": …]}}\n
std::string reply(const FpingOptions& options, std::string_view host, std::uint32_t seq, std::size_t bytes, Nanos rtt,
                  WallClock when, std::optional<int> ttl, std::optional<int> tos);
// {"timeout": {[ts, ]"host": …, "seq": …}}\n
std::string timeout(const FpingOptions& options, std::string_view host, std::uint32_t seq, WallClock when);
// -c: {"summary": {"host": …, "xmt": …, "rcv": …, "loss"|"return": …[, "outage(ms)": …][, "rttMin": …, …]}}\n
std::string summary(std::string_view host, const Tally& tally, bool outage, Nanos period);
// -C: {"vSum": {"host": …, "values": [ms, null, …]}}\n
std::string all_rtts(std::string_view host, const std::vector<Nanos>& times, std::int64_t sent);
// -Q: {"intSum": {"time": secs,"host": …, "xmt": …, "rcv": …, "loss": …[, "outage(ms)": …][, "rttMin": …]}}\n
std::string interval_summary(std::string_view host, const Tally& tally, bool outage, Nanos period, WallClock when);
// -s: {"stats": {…, "elapsed": secs}}\n
std::string stats(const GlobalTally& tally);
// A name that did not resolve: {"warning": {"host": …, "message": …}}\n
std::string warning(std::string_view host, std::string_view message);

}  // namespace uping::fping::json
