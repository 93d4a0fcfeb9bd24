#include "ping/getopt_scan.hpp"

#include <string_view>

namespace uping {
namespace {

// iputils 20250605's getopt string, split: "h?" "4bRT:" "6F:N:" "3aABc:CdDe:fHi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:".
constexpr std::string_view kFlagLetters = "346aAbBCdDfHLnOqrRUvV";
constexpr std::string_view kValueLetters = "ceFiIlmMNpQsStTwW";
constexpr std::string_view kHelpLetters = "h?";

}  // namespace

GetoptScan scan_like_getopt(const std::vector<std::string>& args) {
  GetoptScan scan;
  bool options_ended = false;
  for (std::size_t index = 1; index < args.size(); ++index) {
    const std::string& arg = args[index];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      scan.operands.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    for (std::size_t pos = 1; pos < arg.size(); ++pos) {
      const char letter = arg[pos];
      const bool help = kHelpLetters.find(letter) != std::string_view::npos;
      const bool flag = kFlagLetters.find(letter) != std::string_view::npos;
      const bool takes_value = kValueLetters.find(letter) != std::string_view::npos;
      if (help || (!flag && !takes_value)) {
        scan.stop = help ? GetoptStop::help : GetoptStop::unknown_option;
        scan.letter = letter;
        return scan;
      }
      if (flag) {
        scan.options.push_back({letter, {}});
        continue;
      }
      if (pos + 1 < arg.size()) {  // the rest of the cluster is the value
        scan.options.push_back({letter, arg.substr(pos + 1)});
        break;
      }
      if (index + 1 >= args.size()) {
        scan.stop = GetoptStop::missing_argument;
        scan.letter = letter;
        return scan;
      }
      // The next argument is the value, whatever it looks like ("--" and "-x" included).
      scan.options.push_back({letter, args[++index]});
    }
  }
  return scan;
}

}  // namespace uping
