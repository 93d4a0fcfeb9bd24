#pragma once
// iputils' command line as glibc getopt walks it (permutation, clusters, glued or separate values),
// before any value is read: the order the options are applied in and where parsing stops.

#include <string>
#include <vector>

namespace uping {

// Where getopt would stop parsing, and why.
enum class GetoptStop { none, unknown_option, missing_argument, help };

// One option letter as getopt returns it, with its value for the letters that take one.
struct OptionOccurrence {
  char letter;
  std::string value;
};

struct GetoptScan {
  std::vector<OptionOccurrence> options;  // in the order getopt returns them, up to where it stops
  std::vector<std::string> operands;
  GetoptStop stop = GetoptStop::none;
  char letter = '\0';  // the letter getopt stopped at
};

// Walks the arguments as glibc getopt does with permutation: clusters of letters after '-',
// a value either glued to its letter or in the next argument (whatever it looks like), "--" ends
// the options, "-" alone is an operand. iputils' grammar is getopt's, short letters only, so it is
// parsed here directly; CLI11 parses the long-option interfaces (sweep, --health).
GetoptScan scan_like_getopt(const std::vector<std::string>& args);

}  // namespace uping
