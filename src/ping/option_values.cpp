#include "ping/option_values.hpp"

#include <locale.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "cli/invocation.hpp"

namespace uping::option_values {
namespace {

constexpr std::size_t kMaxPatternBytes = 16;

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

// iputils' strtol_or_err: base 10, leading blanks and sign allowed, nothing after the digits.
std::variant<long long, Failure> parse_integer(const std::string& text, long long min, long long max) {
  const std::string quoted = "invalid argument: '" + text + "'";
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE) return Failure{quoted + ": " + std::strerror(ERANGE), kExitNoReply};
  if (end == text.c_str() || *end != '\0') return Failure{quoted, kExitNoReply};
  if (value < min || value > max) {
    return Failure{quoted + ": out of range: " + std::to_string(min) + " <= value <= " + std::to_string(max),
                   kExitNoReply};
  }
  return value;
}

// strtod in the C locale, whatever the user's locale: "0.5" must mean half a second everywhere.
double strtod_c_locale(const char* text, char** end) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
  return strtod_l(text, end, c_locale);
}

// iputils' ping_strtod and the range check after it, for -i and -W (seconds, kept as whole
// milliseconds). Trailing garbage only earns warnings and the value parsed so far is used, as in
// iputils; an empty, infinite, NaN, negative or too large value is fatal (exit 2).
std::variant<int, Failure> parse_seconds_as_ms(const std::string& text, std::string_view what, double max_seconds,
                                               std::string_view program, std::string& warnings) {
  const std::string prefix = std::string(what) + ": " + text;
  if (text.empty()) {
    // iputils appends strerror of a stale errno here; with its usual locale setup that errno is
    // ENOENT, which is what Debian's ping prints.
    return Failure{prefix + ": " + std::strerror(ENOENT), kExitError};
  }
  char* end = nullptr;
  errno = 0;
  const double seconds = strtod_c_locale(text.c_str(), &end);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    warnings += std::string(program) + ": option argument contains garbage: " + end + "\n";
    warnings += std::string(program) + ": this will become fatal error in the future\n";
  }
  const int kind = std::fpclassify(seconds);
  if (kind != FP_NORMAL && kind != FP_ZERO) {
    return Failure{prefix + ": " + std::strerror(ERANGE), kExitError};
  }
  if (std::isless(seconds, 0.0) || std::isgreater(seconds, max_seconds)) {
    return Failure{prefix, kExitError};
  }
  return static_cast<int>(seconds * 1000);
}

// iputils' parsetos / parseflow: "0x" introduces hexadecimal, anything else is decimal; nothing
// may follow the digits. Returns the value as iputils' narrowing to int leaves it.
std::optional<long long> parse_hex_or_decimal(const std::string& text, bool is_unsigned) {
  const bool hex = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char* start = text.c_str() + (hex ? 2 : 0);
  char* end = nullptr;
  const int base = hex ? 16 : 10;
  const long long value = is_unsigned ? static_cast<long long>(static_cast<int>(std::strtoul(start, &end, base)))
                                      : static_cast<long long>(static_cast<int>(std::strtol(start, &end, base)));
  if (*end != '\0') return std::nullopt;
  return value;
}

// iputils' fill(): every character must be a hex digit; then up to 16 bytes, two digits each
// (a lone last digit is a byte of its own, as sscanf("%2x") reads it).
std::variant<std::vector<std::uint8_t>, Failure> parse_pattern(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_hex_digit(text[i])) {
      return Failure{"patterns must be specified as hex digits: " + text.substr(i), kExitError};
    }
  }
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i < text.size() && bytes.size() < kMaxPatternBytes; i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

}  // namespace uping::option_values
