// uping: the executable only picks the face the command line asks for (ping, sweep, --health,
// --diagnose, --monitor, or fping's personality when invoked as fping) and returns its exit code; the faces
// live in src/ping, src/multi, src/fping and src/monitor, on uping::core.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/invocation.hpp"
#include "cli/log.hpp"
#include "cli/stdout_writer.hpp"
#include "fping/options.hpp"
#include "fping/run.hpp"
#include "monitor/monitor.hpp"
#include "monitor/options.hpp"
#include "multi/health.hpp"
#include "multi/sweep.hpp"
#include "ping/gnu_options.hpp"
#include "ping/options.hpp"
#include "ping/run_ping.hpp"
#include "system/diagnose.hpp"

int main(int argc, char** argv) {
  // Before anything is opened: a closed stdout must not become the ICMP socket.
  uping::guard_standard_descriptors();
  const std::vector<std::string> args(argv, argv + argc);
  if (!args.empty() && !args[0].empty()) uping::log::set_program_name(args[0]);
  // The C locale throughout: numbers are read and printed as iputils prints them. The character
  // set an IDN name needs is loaded by the resolver, after the privilege drop (resolve.cpp).
  using uping::BrokenPipe;
  using uping::report_write_error;
  using uping::write_stdout;
  // Invoked as fping (a link or a copy named fping, fping6, fping-anything...), uping is fping
  // 5.5: its command line only, nothing of uping's own.
  if (!args.empty() && uping::invoked_as_fping(args[0])) {
    const auto parsed = uping::fping::parse_fping_command_line(args, getuid() == 0);
    if (const int error = write_stdout(parsed.out)) {
      return report_write_error(error, uping::fping::kExitWriteError, BrokenPipe::quiet);
    }
    std::fputs(parsed.err.c_str(), stderr);
    if (!parsed.options) return parsed.exit_code;
    return uping::fping::run(*parsed.options);
  }
  // --help / --version reach every mode; --diagnose refuses company in one line.
  const bool monitor = uping::monitor::requested(args);
  if (const auto answer = uping::answer_before_dispatch(
          args, monitor || uping::health::requested(args) || uping::sweep::requested(args))) {
    if (const int error = write_stdout(answer->out)) return report_write_error(error, EXIT_FAILURE, BrokenPipe::quiet);
    std::fputs(answer->err.c_str(), stderr);
    return answer->exit_code;
  }
  if (argc == 2 && args[1] == "--diagnose") {
    const uping::DiagnosisFacts facts = uping::gather_diagnosis_facts();
    if (facts.drop_failure) {
      uping::log::error("cannot drop privileges: " + *facts.drop_failure);
      return 2;
    }
    if (const int error = write_stdout(uping::diagnosis_report(facts))) {
      return report_write_error(error, 2, BrokenPipe::quiet);
    }
    return uping::can_ping_unprivileged(facts) ? 0 : 1;
  }
  // A long-running monitor: --monitor anywhere before "--" wins over the sweep's options it shares.
  if (monitor) {
    const uping::monitor::MonitorParse parsed = uping::monitor::parse_command_line(args);
    if (const int error = write_stdout(parsed.out)) {
      return report_write_error(error, uping::monitor::kExitError, BrokenPipe::quiet);
    }
    std::fputs(parsed.err.c_str(), stderr);
    if (!parsed.options) return parsed.exit_code;
    return uping::monitor::run(*parsed.options);
  }
  if (uping::health::requested(args)) {
    const uping::health::HealthParse parsed = uping::health::parse_command_line(args);
    if (const int error = write_stdout(parsed.out)) {
      return report_write_error(error, uping::health::kUnhealthy, BrokenPipe::reported, "--health: ");
    }
    std::fputs(parsed.err.c_str(), stderr);
    if (!parsed.options) return parsed.exit_code;
    return uping::health::run(*parsed.options);
  }
  if (uping::sweep::requested(args) && !uping::timestamp_hops_requested(args)) {
    const uping::sweep::SweepParse parsed = uping::sweep::parse_command_line(args);
    if (const int error = write_stdout(parsed.out)) {
      return report_write_error(error, uping::sweep::kError, BrokenPipe::quiet);
    }
    std::fputs(parsed.err.c_str(), stderr);
    if (!parsed.options) return parsed.exit_code;
    return uping::sweep::run(*parsed.options);
  }
  // iputils decides its user limits (-l above 3) by the real uid, not by capabilities.
  const uping::ParseResult parsed = uping::parse_command_line(args, getuid() == 0);
  // Warnings (iputils' "option argument contains garbage") and -p's PATTERN line come with
  // options to run; stdout first, as iputils printed it while parsing. A failed write exits 1,
  // as iputils' does.
  if (const int error = write_stdout(parsed.out)) return report_write_error(error, EXIT_FAILURE, BrokenPipe::quiet);
  std::fputs(parsed.err.c_str(), stderr);
  if (!parsed.options) return parsed.exit_code;
  return uping::run_ping(*parsed.options);
}
