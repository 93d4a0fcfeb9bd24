#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ping/gnu_options.hpp"
#include "ping/options.hpp"
#include "uping/version.hpp"

namespace {

using uping::answer_before_dispatch;
using Args = std::vector<std::string>;

}  // namespace

TEST_CASE("the version flag in every mode: stdout, exit 0, names the iputils release followed") {
  const std::string expected = std::string("uping ") + uping::kVersion + " (ping from iputils 20250605 compatible)\n";
  CHECK(uping::version_text() == expected);
  for (const Args& args : {Args{"uping", "--version"}, Args{"uping", "-c", "1", "--version", "127.0.0.1"},
                           Args{"uping", "--health", "--version", "::1"}, Args{"uping", "--json", "--version"},
                           Args{"uping", "--diagnose", "--version"}}) {
    const auto answer = answer_before_dispatch(args, args[1] == "--health" || args[1] == "--json");
    REQUIRE(answer.has_value());
    CHECK(answer->out == expected);
    CHECK(answer->err.empty());
    CHECK(answer->exit_code == 0);
  }
}

TEST_CASE("the help flag of the single-target mode is the usage text on stdout, exit 0") {
  const auto answer = answer_before_dispatch({"uping", "-c", "2", "--help"}, false);
  REQUIRE(answer.has_value());
  CHECK(answer->out == uping::usage_text("uping"));
  CHECK(answer->err.empty());
  CHECK(answer->exit_code == 0);
}

TEST_CASE("the help flag of --health and of sweeps is left to their own parsers") {
  CHECK_FALSE(answer_before_dispatch({"uping", "--health", "--help"}, true).has_value());
  CHECK_FALSE(answer_before_dispatch({"uping", "--json", "--help"}, true).has_value());
}

TEST_CASE("diagnose: alone it runs, with --help it explains itself, with anything else one line") {
  CHECK_FALSE(answer_before_dispatch({"uping", "--diagnose"}, false).has_value());
  const auto help = answer_before_dispatch({"uping", "--diagnose", "--help"}, false);
  REQUIRE(help.has_value());
  CHECK(help->out == uping::diagnose_help_text("uping"));
  CHECK(help->exit_code == 0);
  const auto stray = answer_before_dispatch({"/usr/bin/uping", "--diagnose", "-v", "x"}, false);
  REQUIRE(stray.has_value());
  CHECK(stray->out.empty());
  CHECK(stray->err == "/usr/bin/uping: --diagnose takes no other argument: '-v'\n");
  CHECK(stray->exit_code == uping::kExitError);
  const auto before = answer_before_dispatch({"uping", "127.0.0.1", "--diagnose"}, false);
  REQUIRE(before.has_value());
  CHECK(before->err == "uping: --diagnose takes no other argument: '127.0.0.1'\n");
}

TEST_CASE("after -- nothing is a GNU flag, and ordinary command lines pass through") {
  CHECK_FALSE(answer_before_dispatch({"uping", "--", "--help"}, false).has_value());
  CHECK_FALSE(answer_before_dispatch({"uping", "-c", "1", "127.0.0.1"}, false).has_value());
  CHECK_FALSE(answer_before_dispatch({"uping"}, false).has_value());
}

TEST_CASE("the usage text (-h and --help) names the other modes, a line each") {
  const std::string text = uping::usage_text("uping");
  CHECK(text.find("\n  --health ") != std::string::npos);
  CHECK(text.find("\n  --monitor ") != std::string::npos);
  CHECK(text.find("\n  --diagnose ") != std::string::npos);
  CHECK(text.find("\n  <destination>... ") != std::string::npos);
  CHECK(text.find("\n  --help ") != std::string::npos);
  CHECK(text.find("\n  --version ") != std::string::npos);
}
