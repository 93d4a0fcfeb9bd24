#include "fping/option_table.hpp"

namespace uping::fping {
namespace {

// fping 5.5's options (no --oiface, no --print-srcaddr: those came after 5.5).
constexpr OptionSpec kOptions[] = {
    {'4', "ipv4", Argument::none},
    {'6', "ipv6", Argument::none},
    {'a', "alive", Argument::none},
    {'A', "addr", Argument::none},
    {'b', "size", Argument::required},
    {'B', "backoff", Argument::required},
    {'c', "count", Argument::required},
    {'C', "vcount", Argument::required},
    {'d', "rdns", Argument::none},
    {'D', "timestamp", Argument::none},
    {'\0', "timestamp-format", Argument::required},
    {'e', "elapsed", Argument::none},
    {'f', "file", Argument::required},
    {'g', "generate", Argument::none},
    {'h', "help", Argument::none},
    {'H', "ttl", Argument::required},
    {'i', "interval", Argument::required},
    {'I', "iface", Argument::required},
    {'J', "json", Argument::none},
    {'\0', "icmp-timestamp", Argument::none},
    {'k', "fwmark", Argument::required},
    {'l', "loop", Argument::none},
    {'m', "all", Argument::none},
    {'M', "dontfrag", Argument::none},
    {'n', "name", Argument::none},
    {'N', "netdata", Argument::none},
    {'o', "outage", Argument::none},
    {'O', "tos", Argument::required},
    {'p', "period", Argument::required},
    {'q', "quiet", Argument::none},
    {'Q', "squiet", Argument::required},
    {'r', "retry", Argument::required},
    {'R', "random", Argument::none},
    {'s', "stats", Argument::none},
    {'S', "src", Argument::required},
    {'t', "timeout", Argument::required},
    {'T', nullptr, Argument::required},
    {'u', "unreach", Argument::none},
    {'v', "version", Argument::none},
    {'x', "reachable", Argument::required},
    {'X', "fast-reachable", Argument::required},
    {'\0', "check-source", Argument::none},
    {'\0', "print-tos", Argument::none},
    {'\0', "print-ttl", Argument::none},
    {'\0', "seqmap-timeout", Argument::required},
};

}  // namespace

const OptionSpec* find_short(char name) {
  for (const auto& spec : kOptions) {
    if (spec.short_name != '\0' && spec.short_name == name) return &spec;
  }
  return nullptr;
}

const OptionSpec* find_long(std::string_view text) {
  const std::string_view name = text.substr(0, text.find('='));
  for (const auto& spec : kOptions) {
    if (spec.long_name != nullptr && name == spec.long_name) return &spec;
  }
  return nullptr;
}

}  // namespace uping::fping
