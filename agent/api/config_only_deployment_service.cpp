#include "agent/api/config_only_deployment_service.hpp"

namespace fical::agent::api {
namespace {

proto::ApiError no_engine() {
  return {proto::ErrorCode::unavailable, "the deployment engine is not available in this build", {}};
}

}  // namespace

ConfigOnlyDeploymentService::ConfigOnlyDeploymentService(config::Config config,
                                                         std::function<bool()> docker_probe)
    : config_(std::move(config)), docker_probe_(std::move(docker_probe)) {}

std::optional<proto::ApiError> ConfigOnlyDeploymentService::find(const std::string& app,
                                                                 const std::string& env) const {
  const auto* found = config_.find_app(app);
  if (found == nullptr) return proto::ApiError{proto::ErrorCode::not_found, "no app \"" + app + "\"", {}};
  if (found->find_environment(env) == nullptr) {
    return proto::ApiError{proto::ErrorCode::not_found,
                           "app \"" + app + "\" has no environment \"" + env + "\"", {}};
  }
  return std::nullopt;
}

std::vector<proto::AppSummary> ConfigOnlyDeploymentService::apps() {
  std::vector<proto::AppSummary> apps;
  for (const auto& app : config_.apps) {
    proto::AppSummary summary{app.name, {}};
    for (const auto& env : app.environments) summary.environments.push_back({env.name, {}, {}, {}});
    apps.push_back(std::move(summary));
  }
  return apps;
}

Result<proto::EnvStatus> ConfigOnlyDeploymentService::env_status(const std::string& app,
                                                                 const std::string& env) {
  if (auto missing = find(app, env)) return *missing;
  proto::EnvStatus status;
  status.app = app;
  status.env = env;
  return status;
}

Result<std::vector<proto::Release>> ConfigOnlyDeploymentService::releases(const std::string& app,
                                                                         const std::string& env) {
  if (auto missing = find(app, env)) return *missing;
  return std::vector<proto::Release>{};
}

Result<proto::Deployment> ConfigOnlyDeploymentService::deploy(const DeployCommand& command) {
  if (auto missing = find(command.app, command.env)) return *missing;
  return no_engine();
}

Result<proto::Deployment> ConfigOnlyDeploymentService::rollback(const RollbackCommand& command) {
  if (auto missing = find(command.app, command.env)) return *missing;
  return no_engine();
}

Result<proto::Deployment> ConfigOnlyDeploymentService::deployment(const std::string&) {
  return no_engine();
}

Result<proto::Deployment> ConfigOnlyDeploymentService::cancel(const std::string&, const Actor&) {
  return no_engine();
}

Result<EventsPage> ConfigOnlyDeploymentService::events(const std::string&, std::uint64_t) {
  return no_engine();
}

Result<bool> ConfigOnlyDeploymentService::logs(const LogsQuery& query,
                                              const std::function<bool(std::string_view)>&) {
  if (auto missing = find(query.app, query.env)) return *missing;
  return no_engine();
}

bool ConfigOnlyDeploymentService::docker_reachable() { return docker_probe_ && docker_probe_(); }

}  // namespace fical::agent::api
