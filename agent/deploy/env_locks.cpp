#include "agent/deploy/env_locks.hpp"

namespace fical::agent::deploy {

std::optional<std::string> EnvLocks::try_take(const std::string& app, const std::string& env,
                                              const std::string& deployment_id) {
  auto [it, taken] = running_.emplace(app + "/" + env, deployment_id);
  if (taken) return std::nullopt;
  return it->second;
}

void EnvLocks::release(const std::string& app, const std::string& env, const std::string& deployment_id) {
  auto it = running_.find(app + "/" + env);
  if (it != running_.end() && it->second == deployment_id) running_.erase(it);
}

std::optional<std::string> EnvLocks::holder(const std::string& app, const std::string& env) const {
  auto it = running_.find(app + "/" + env);
  if (it == running_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fical::agent::deploy
