#pragma once
// An interim DeploymentService for builds without the deployment engine.
#include <functional>

#include "agent/config/config.hpp"
#include "agent/deployment_service.hpp"

namespace fical::agent::api {

/// Answers from the configuration alone: apps and environments as configured, with no
/// live release, no containers and an empty release history. Everything that needs the
/// deployment engine (deploy, rollback, deployments, cancel, events, logs) answers 503.
/// docker_reachable() asks the probe it was given. Thread-safety: immutable; safe.
class ConfigOnlyDeploymentService final : public DeploymentService {
 public:
  ConfigOnlyDeploymentService(config::Config config, std::function<bool()> docker_probe);

  std::vector<proto::AppSummary> apps() override;
  Result<proto::EnvStatus> env_status(const std::string& app, const std::string& env) override;
  Result<std::vector<proto::Release>> releases(const std::string& app,
                                               const std::string& env) override;
  Result<proto::Deployment> deploy(const DeployCommand& command) override;
  Result<proto::Deployment> rollback(const RollbackCommand& command) override;
  Result<proto::Deployment> deployment(const std::string& id) override;
  Result<proto::Deployment> cancel(const std::string& id, const Actor& actor) override;
  Result<EventsPage> events(const std::string& id, std::uint64_t from) override;
  Result<bool> logs(const LogsQuery& query,
                    const std::function<bool(std::string_view chunk)>& sink) override;
  bool docker_reachable() override;

 private:
  /// 404 naming the app or env when the config does not have it.
  std::optional<proto::ApiError> find(const std::string& app, const std::string& env) const;

  config::Config config_;
  std::function<bool()> docker_probe_;
};

}  // namespace fical::agent::api
