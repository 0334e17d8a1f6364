#include "agent/config/env_file.hpp"

namespace fical::agent::config {

EnvFileResult parse_env_file(std::string_view text,
                             const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  EnvFileResult result;
  std::size_t line_number = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    line.remove_prefix(start);
    auto eq = line.find('=');
    std::string key(line.substr(0, eq));
    if (key.empty() || key.find_first_of(" \t") != std::string::npos) {
      result.error = "line " + std::to_string(line_number) + ": the variable name is empty or has whitespace";
      result.variables.clear();
      return result;
    }
    if (eq == std::string_view::npos) {
      if (auto value = lookup(key)) result.variables.emplace_back(key, *value);
      continue;
    }
    result.variables.emplace_back(std::move(key), std::string(line.substr(eq + 1)));
  }
  return result;
}

}  // namespace fical::agent::config
