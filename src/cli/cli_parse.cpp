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
