#pragma once
// fping 5.5's option names: which short letters and long names exist and whether they take a value
// (the table fping's optparse is given). Pure; used by the parser (options.cpp).

#include <cstdint>
#include <string_view>

namespace uping::fping {

enum class Argument : std::uint8_t { none, required };

struct OptionSpec {
  char short_name;        // '\0' for the long-only options
  const char* long_name;  // nullptr for -T
  Argument argument;
};

// The option a short letter names; nullptr when fping has none.
const OptionSpec* find_short(char name);
// A long option is its exact name, alone or followed by '=' (no abbreviations, as fping's optparse).
const OptionSpec* find_long(std::string_view text);

}  // namespace uping::fping
