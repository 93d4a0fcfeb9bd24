// uping: the executable only wires the command line to the engine; all logic is in uping::core.
#include <cstdio>
#include <string>
#include <vector>

#include "uping/engine.hpp"
#include "uping/options.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  const uping::ParseResult parsed = uping::parse_command_line(args);
  if (!parsed.options) {
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_code;
  }
  return uping::run_ping(*parsed.options);
}
