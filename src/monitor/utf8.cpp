#include "monitor/utf8.hpp"

#include <cstdint>

namespace uping::monitor {
namespace {

struct LeadRule {
  std::uint8_t length;
  std::uint8_t second_min;  // the second byte's range narrows for some leads (RFC 3629 §4)
  std::uint8_t second_max;
};

LeadRule rule_of(std::uint8_t lead) noexcept {
  if (lead < 0x80) return {1, 0, 0};
  if (lead < 0xC2) return {0, 0, 0};  // continuation byte, or an overlong two-byte lead
  if (lead < 0xE0) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};  // no overlong three-byte forms
  if (lead == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (lead < 0xF0) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};  // no overlong four-byte forms
  if (lead < 0xF4) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {0, 0, 0};
}

}  // namespace

std::size_t utf8_char_length(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const LeadRule rule = rule_of(at(0));
  if (rule.length <= 1) return rule.length;
  if (text.size() < rule.length) return 0;
  if (at(1) < rule.second_min || at(1) > rule.second_max) return 0;
  for (std::size_t i = 2; i < rule.length; ++i) {
    if ((at(i) & 0xC0) != 0x80) return 0;
  }
  return rule.length;
}

void append_valid_utf8(std::string& out, std::string_view text) {
  while (!text.empty()) {
    const std::size_t length = utf8_char_length(text);
    if (length == 0) {
      out += kReplacementCharacter;
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, length));
      text.remove_prefix(length);
    }
  }
}

}  // namespace uping::monitor
