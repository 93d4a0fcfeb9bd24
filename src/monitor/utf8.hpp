#pragma once
// Text from users (a --file line, a name) may hold any bytes; what the monitor serves is declared
// UTF-8 (the exposition, the status page), so each byte that does not start a well-formed UTF-8
// sequence (RFC 3629) is shown as U+FFFD, as docs/json.md does for the sweep. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace uping::monitor {

// Bytes of the well-formed UTF-8 character at the start of `text` (1 to 4), or 0 when the first
// byte does not start one (a stray continuation, an overlong form, a surrogate, beyond U+10FFFF,
// or cut short).
std::size_t utf8_char_length(std::string_view text) noexcept;

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// `text` with every ill-formed byte replaced by U+FFFD, appended to `out`.
void append_valid_utf8(std::string& out, std::string_view text);

}  // namespace uping::monitor
