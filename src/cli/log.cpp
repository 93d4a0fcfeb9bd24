#include "cli/log.hpp"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace uping::log {
namespace {

std::string program = "uping";
bool verbose_enabled = false;

// Built on first use, so that a run with nothing to say never pays for the logger.
spdlog::logger& logger() {
  static const auto instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
    auto created = std::make_shared<spdlog::logger>("uping", std::move(sink));
    created->set_pattern("%v");
    created->set_level(spdlog::level::trace);
    created->flush_on(spdlog::level::trace);  // interleave correctly with stdout
    return created;
  }();
  return *instance;
}

}  // namespace

void set_program_name(std::string_view name) { program = name; }
void enable_verbose() { verbose_enabled = true; }

void error(std::string_view message) { logger().error("{}: {}", program, message); }

void verbose(std::string_view message) {
  if (verbose_enabled) logger().debug("{}: {}", program, message);
}

}  // namespace uping::log
