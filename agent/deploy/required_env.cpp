#include "agent/deploy/required_env.hpp"

#include <algorithm>

namespace fical::agent::deploy {
namespace {

bool is_key(std::string_view word) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return !word.empty() && letter(word.front()) &&
         std::all_of(word.begin(), word.end(), [&](char c) { return letter(c) || digit(c); });
}

}  // namespace

RequiredEnv parse_required_env(std::string_view label) {
  RequiredEnv result;
  constexpr std::string_view separators = ", \t\r\n";
  while (!label.empty()) {
    auto start = label.find_first_not_of(separators);
    if (start == std::string_view::npos) break;
    label.remove_prefix(start);
    auto word = label.substr(0, label.find_first_of(separators));
    label.remove_prefix(word.size());
    auto& list = is_key(word) ? result.keys : result.invalid;
    if (std::find(list.begin(), list.end(), word) == list.end()) list.emplace_back(word);
  }
  return result;
}

std::vector<std::string> missing_env_keys(const std::vector<std::string>& required, const EnvVars& env_file,
                                          const std::map<std::string, std::string>& env) {
  std::vector<std::string> missing;
  for (const auto& key : required) {
    bool in_file = std::any_of(env_file.begin(), env_file.end(), [&](const auto& kv) { return kv.first == key; });
    if (!in_file && !env.count(key)) missing.push_back(key);
  }
  return missing;
}

}  // namespace fical::agent::deploy
