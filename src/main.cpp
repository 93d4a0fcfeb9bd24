// uping: the executable only wires the command line to the engine; all logic is in uping::core.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "uping/diagnose.hpp"
#include "uping/engine.hpp"
#include "uping/health.hpp"
#include "uping/options.hpp"
#include "uping/sweep.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  // The C locale throughout: numbers are read and printed as iputils prints them. The character
  // set an IDN name needs is loaded by the resolver, after the privilege drop (resolve.cpp).
  if (argc == 2 && args[1] == "--diagnose") {
    const uping::DiagnosisFacts facts = uping::gather_diagnosis_facts();
    if (facts.drop_failure) {
      std::fprintf(stderr, "%s: cannot drop privileges: %s\n", argv[0], facts.drop_failure->c_str());
      return 2;
    }
    std::fputs(uping::diagnosis_report(facts).c_str(), stdout);
    return uping::can_ping_unprivileged(facts) ? 0 : 1;
  }
  if (uping::health::requested(args)) {
    const uping::health::HealthParse parsed = uping::health::parse_command_line(args);
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    if (!parsed.options) return parsed.exit_code;
    return uping::health::run(*parsed.options);
  }
  if (uping::sweep::requested(args)) {
    const uping::sweep::SweepParse parsed = uping::sweep::parse_command_line(args);
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    if (!parsed.options) return parsed.exit_code;
    return uping::sweep::run(*parsed.options);
  }
  // iputils decides its user limits (-l above 3) by the real uid, not by capabilities.
  const uping::ParseResult parsed = uping::parse_command_line(args, getuid() == 0);
  // Warnings (iputils' "option argument contains garbage") and -p's PATTERN line come with
  // options to run; stdout first, as iputils printed it while parsing.
  std::fputs(parsed.out.c_str(), stdout);
  std::fflush(stdout);
  std::fputs(parsed.err.c_str(), stderr);
  if (!parsed.options) return parsed.exit_code;
  return uping::run_ping(*parsed.options);
}
