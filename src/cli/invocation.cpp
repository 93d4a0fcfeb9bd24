#include "cli/invocation.hpp"

namespace uping {

std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool invoked_as_fping(std::string_view program_name) { return basename_of(program_name).starts_with("fping"); }

std::optional<icmp::Family> family_implied_by_name(std::string_view program_name) {
  const std::string_view invoked_as = basename_of(program_name);
  if (invoked_as == "ping4" || invoked_as == "uping4") return icmp::Family::v4;
  if (invoked_as == "ping6" || invoked_as == "uping6") return icmp::Family::v6;
  return std::nullopt;
}

FamilyChoice choose_family(bool v4, bool v6, std::string_view program_name) {
  const auto implied = family_implied_by_name(program_name);
  v4 = v4 || implied == icmp::Family::v4;
  v6 = v6 || implied == icmp::Family::v6;
  if (v4 && v6) return FamilyChoice{std::nullopt, true};
  if (v4) return FamilyChoice{icmp::Family::v4, false};
  if (v6) return FamilyChoice{icmp::Family::v6, false};
  return {};
}

}  // namespace uping
