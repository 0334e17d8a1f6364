#pragma once
// Env files, read the way `docker run --env-file` reads them.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fical::agent::config {

/// The variables of an env file, or the first problem (with its line number; values are
/// never quoted in messages, they may be secrets).
struct EnvFileResult {
  std::vector<std::pair<std::string, std::string>> variables;
  std::string error;
};

/// Docker's rules: one KEY=VALUE per line, the value taken literally (no quotes removed,
/// no expansion); blank lines and lines starting with # are skipped; leading whitespace is
/// trimmed; a bare KEY takes its value from `lookup` (the agent's environment) and is left
/// out when unset. Keys may not contain whitespace.
EnvFileResult parse_env_file(std::string_view text,
                             const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace fical::agent::config
