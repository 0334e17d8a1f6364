#pragma once
// Which environments have a deployment running: one per environment at a time.
// No locking inside (kamal-proxy's habit): the DeploymentManager holds its mutex around it.
#include <map>
#include <optional>
#include <string>

namespace fical::agent::deploy {

/// app/env -> running deployment id. Lives only in the agent's memory, so a crash can
/// never leave an environment locked.
class EnvLocks {
 public:
  /// Takes the environment for `deployment_id`, or returns the id that holds it.
  std::optional<std::string> try_take(const std::string& app, const std::string& env,
                                      const std::string& deployment_id);
  void release(const std::string& app, const std::string& env, const std::string& deployment_id);
  std::optional<std::string> holder(const std::string& app, const std::string& env) const;

 private:
  std::map<std::string, std::string> running_;  // "app/env" -> id
};

}  // namespace fical::agent::deploy
