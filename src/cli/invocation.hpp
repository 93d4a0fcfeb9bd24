#pragma once
// What every command-line face shares about how it was invoked: the exit codes (iputils' own,
// which the other modes keep) and the name it was called by.

#include <optional>
#include <string_view>

#include "uping/icmp.hpp"

namespace uping {

// iputils' exit codes.
inline constexpr int kExitOk = 0;       // a reply arrived (and, with -w and -c, enough of them)
inline constexpr int kExitNoReply = 1;  // no reply; also integer-parse and range errors
inline constexpr int kExitError = 2;    // usage, resolution, socket and system errors

// The family the program's name implies: ping4 / uping4 IPv4, ping6 / uping6 IPv6 (argv[0]'s last
// component), as if -4 / -6 had been given. Every mode applies it; the other flag is a conflict.
std::optional<icmp::Family> family_implied_by_name(std::string_view program_name);

// -4 / -6 of the long-option modes (sweep, --health, --monitor), the program's name counting as
// one of them: the family asked for (none: both), or a conflict when both are, for the mode's
// own message.
struct FamilyChoice {
  std::optional<icmp::Family> family;
  bool conflict = false;
};
FamilyChoice choose_family(bool v4, bool v6, std::string_view program_name);

// argv[0]'s last component.
std::string_view basename_of(std::string_view path);

// Whether uping runs as fping: argv[0]'s last component starts with "fping" (fping, fping6, or a
// copy such as fping-uping). fping6 in the name implies -6, as fping's own strstr test has it.
bool invoked_as_fping(std::string_view program_name);

}  // namespace uping
