#pragma once
// --help and --version for every mode (GNU conventions: stdout, exit 0), and --diagnose's own
// command line, decided before any mode parses its options. Pure: main prints what it returns.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uping {

struct EarlyAnswer {
  std::string out;  // for stdout
  std::string err;  // for stderr
  int exit_code = 0;
};

// The iputils release whose ping uping follows: `-V` names it, so scripts that look for
// "iputils" in `ping -V` keep treating uping as iputils.
inline constexpr std::string_view kIputilsReference = "20250605";

// "uping 0.1.0 (ping from iputils 20250605 compatible)", with a newline: `-V` and `--version`.
std::string version_text();

// What --diagnose --help prints.
std::string diagnose_help_text(std::string_view program_name);

// Set when main must answer before dispatching to a mode: --version anywhere (before "--"),
// --help for the single-target and --diagnose modes (--health and sweeps answer their own
// --help), and --diagnose with anything else beside it (a one-line error, exit 2).
// `mode_parses_help`: the command line belongs to a mode whose parser answers --help itself.
std::optional<EarlyAnswer> answer_before_dispatch(const std::vector<std::string>& args, bool mode_parses_help);

}  // namespace uping
