// uping: the executable only wires the command line to the engine; all logic is in uping::core.
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <string>
#include <vector>

#include "uping/diagnose.hpp"
#include "uping/engine.hpp"
#include "uping/gnu_options.hpp"
#include "uping/health.hpp"
#include "uping/options.hpp"
#include "uping/sweep.hpp"

namespace {

// Whether a host name may need the user's character set: glibc needs it to turn an IDN name into
// ASCII (getaddrinfo with AI_IDN), and for nothing else here. Names come from the arguments, or
// from a sweep's --file.
bool names_may_be_international(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--file" || arg.starts_with("--file=")) return true;
    for (const char c : arg) {
      if (static_cast<unsigned char>(c) >= 0x80) return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  // Only the character set follows the user's locale, and only when a name may need it: loading
  // it maps the locale's LC_CTYPE and the gconv cache (156 KiB of resident memory with C.UTF-8).
  // Numbers are read and printed in the C locale, as iputils prints them.
  if (names_may_be_international(args)) std::setlocale(LC_CTYPE, "");
  // --help / --version reach every mode; --diagnose refuses company in one line.
  if (const auto answer =
          uping::answer_before_dispatch(args, uping::health::requested(args) || uping::sweep::requested(args))) {
    std::fputs(answer->out.c_str(), stdout);
    std::fputs(answer->err.c_str(), stderr);
    return answer->exit_code;
  }
  if (argc == 2 && args[1] == "--diagnose") {
    const uping::DiagnosisFacts facts = uping::gather_diagnosis_facts();
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
  if (uping::sweep::requested(args) && !uping::timestamp_hops_requested(args)) {
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
