#include "ping/gnu_options.hpp"

#include "ping/options.hpp"
#include "uping/version.hpp"

namespace uping {

std::string version_text() {
  return std::string("uping ") + kVersion + " (ping from iputils " + std::string(kIputilsReference) + " compatible)\n";
}

std::string diagnose_help_text(std::string_view program_name) {
  std::string text = "Usage: ";
  text += program_name;
  text +=
      " --diagnose\n"
      "Explains whether this host lets uping ping without privilege (ICMP datagram sockets,\n"
      "net.ipv4.ping_group_range, capabilities) and what would fix it. Takes no other argument.\n"
      "Exit status: 0 when an unprivileged ping can work, 1 when it cannot, 2 when the report\n"
      "cannot be written or privileges cannot be dropped.\n";
  return text;
}

std::optional<EarlyAnswer> answer_before_dispatch(const std::vector<std::string>& args, bool mode_parses_help) {
  const std::string program = args.empty() || args[0].empty() ? std::string("uping") : args[0];
  bool diagnose = false;
  std::optional<std::string> gnu_flag;  // the first of --help / --version
  std::optional<std::string> stray;     // the first argument that is not --diagnose
  for (std::size_t index = 1; index < args.size(); ++index) {
    const std::string& arg = args[index];
    if (arg == "--diagnose") {
      diagnose = true;
      continue;
    }
    if (!stray) stray = arg;
    if (arg == "--") break;  // what follows is operands, whatever it looks like
    if (!gnu_flag && (arg == "--help" || arg == "--version")) gnu_flag = arg;
  }
  if (gnu_flag == "--version") return EarlyAnswer{version_text(), "", 0};
  if (gnu_flag == "--help") {
    if (diagnose) return EarlyAnswer{diagnose_help_text(program), "", 0};
    if (!mode_parses_help) return EarlyAnswer{usage_text(program), "", 0};
    return std::nullopt;
  }
  if (diagnose && stray) {
    return EarlyAnswer{"", program + ": --diagnose takes no other argument: '" + *stray + "'\n", kExitError};
  }
  return std::nullopt;
}

}  // namespace uping
