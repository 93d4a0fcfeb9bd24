#include "cli/cli_parse.hpp"

#include <locale.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace uping::cli {

std::optional<double> parse_c_number(const std::string& text) noexcept {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
  char* end = nullptr;
  errno = 0;
  const double value = strtod_l(text.c_str(), &end, c_locale);
  if (errno != 0 || end == text.c_str() || *end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::variant<double, std::string> parse_bounded_number(const std::string& text, std::string_view option, double min,
                                                       double max, std::string_view unit) {
  const auto value = parse_c_number(text);
  if (!value || *value < min || *value > max) {
    return "invalid " + std::string(option) + " '" + text + "': " + std::string(unit);
  }
  return *value;
}

std::variant<std::uint64_t, std::string> parse_bounded_whole(const std::string& text, std::string_view option,
                                                             double min, double max) {
  const auto bound = [](double value) { return std::to_string(static_cast<std::uint64_t>(value)); };
  const auto unit = "a whole number, " + bound(min) + " to " + bound(max);
  auto parsed = parse_bounded_number(text, option, min, max, unit);
  if (auto* message = std::get_if<std::string>(&parsed)) return *message;
  const double value = std::get<double>(parsed);
  if (std::floor(value) != value) return "invalid " + std::string(option) + " '" + text + "': " + unit;
  return static_cast<std::uint64_t>(value);
}

std::optional<std::string> parse_arguments(CLI::App& app, const std::vector<std::string>& args) {
  // CLI11 reads "--rate=" as "--rate" and takes the next word as its value: an empty value is
  // refused here, as "--rate ''" is by the callers.
  for (std::size_t i = 1; i < args.size() && args[i] != "--"; ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 3 && arg.starts_with("--") && arg.ends_with('=') && arg.find('=') == arg.size() - 1) {
      return "invalid " + arg.substr(0, arg.size() - 1) + " '': an empty value";
    }
  }
  try {
    // CLI11 takes the arguments last first, without the program name.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    if (!reversed.empty()) reversed.pop_back();
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    return std::string(error.what());
  }
  return std::nullopt;
}

}  // namespace uping::cli
