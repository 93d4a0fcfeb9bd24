#pragma once
// Diagnostics on stderr, each line prefixed "<program>: " as iputils' error() does. Backed by
// spdlog; stdout stays reserved for results.

#include <string_view>

namespace uping::log {

void set_program_name(std::string_view program);
void error(std::string_view message);    // always printed
void verbose(std::string_view message);  // printed only after enable_verbose()
void enable_verbose();

}  // namespace uping::log
