#pragma once
// What the long-option command lines (--health, sweeps, --monitor) share: numbers read in the C
// locale and bounded, and one CLI11 parse whose errors become a message instead of CLI11's exit codes. A private header
// of uping_core, beside its sources: it brings CLI11's headers, a private dependency.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

namespace uping::cli {

// A number as a user types it, read in the C locale whatever LC_NUMERIC says ("0.5" everywhere):
// the whole text, finite. Empty when the text is not one.
std::optional<double> parse_c_number(const std::string& text) noexcept;

// A number in the C locale within [min, max], or the one-line refusal
// "invalid <option> '<text>': <unit>" (unit says what is expected: "seconds, 0.001 to 3600").
std::variant<double, std::string> parse_bounded_number(const std::string& text, std::string_view option, double min,
                                                       double max, std::string_view unit);

// A whole number within [min, max], or "invalid <option> '<text>': a whole number, <min> to <max>".
std::variant<std::uint64_t, std::string> parse_bounded_whole(const std::string& text, std::string_view option,
                                                             double min, double max);

// Parses `args` (args[0] is the program name) into `app`. CLI11's message when the arguments do
// not fit, else empty: callers say it with their own prefix and exit code.
std::optional<std::string> parse_arguments(CLI::App& app, const std::vector<std::string>& args);

}  // namespace uping::cli
