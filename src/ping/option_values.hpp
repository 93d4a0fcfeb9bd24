#pragma once
// The values of iputils' options as iputils reads them: integers (strtol_or_err), seconds kept as
// whole milliseconds (ping_strtod), hexadecimal-or-decimal numbers (parsetos / parseflow) and -p's
// pattern (fill). Pure: a bad value is a Failure with iputils' message and exit code.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace uping::option_values {

// An error as iputils reports it: the message (without the program prefix) and the exit code.
struct Failure {
  std::string message;
  int exit_code;
  bool bare = false;       // printed as it is, without the program prefix and newline
  bool to_stdout = false;  // -N help's list goes to stdout
};

// iputils' strtol_or_err: base 10, leading blanks and sign allowed, nothing after the digits.
std::variant<long long, Failure> parse_integer(const std::string& text, long long min, long long max);

// An integer option within [min, max], stored in its field (a number, or an optional one).
template <typename T>
std::optional<Failure> store_integer(const std::string& text, long long min, long long max, T& field) {
  auto parsed = parse_integer(text, min, max);
  if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
  field = static_cast<T>(std::get<long long>(parsed));
  return std::nullopt;
}
template <typename T>
std::optional<Failure> store_integer(const std::string& text, long long min, long long max, std::optional<T>& field) {
  T stored{};
  auto failure = store_integer(text, min, max, stored);
  if (!failure) field = stored;
  return failure;
}

// strtod in the C locale, whatever the user's locale: "0.5" must mean half a second everywhere.
double strtod_c_locale(const char* text, char** end);

// iputils' ping_strtod and the range check after it, for -i and -W (seconds, kept as whole
// milliseconds). Trailing garbage only earns warnings and the value parsed so far is used, as in
// iputils; an empty, infinite, NaN, negative or too large value is fatal (exit 2).
std::variant<int, Failure> parse_seconds_as_ms(const std::string& text, std::string_view what, double max_seconds,
                                               std::string_view program, std::string& warnings);

// iputils' parsetos / parseflow: "0x" introduces hexadecimal, anything else is decimal; nothing
// may follow the digits. Returns the value as iputils' narrowing to int leaves it.
std::optional<long long> parse_hex_or_decimal(const std::string& text, bool is_unsigned);

// iputils' fill(): every character must be a hex digit; then up to 16 bytes, two digits each
// (a lone last digit is a byte of its own, as sscanf("%2x") reads it).
std::variant<std::vector<std::uint8_t>, Failure> parse_pattern(const std::string& text);

}  // namespace uping::option_values
