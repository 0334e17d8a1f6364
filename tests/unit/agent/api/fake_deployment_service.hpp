#pragma once
// A tiny in-memory DeploymentService for handler unit tests: records what it was asked.
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/deployment_service.hpp"

namespace fical::agent::api::testing {

/// Knows app "web" (envs staging, production) and "blog" (env prod); deployment "d-1" of
/// web/staging. Records the last deploy command.
class FakeDeploymentService final : public DeploymentService {
 public:
  bool throw_on_status = false;  // env_status throws, as a bug or a broken store would
  std::string status_version;    // env_status: its live release's version, when set
  std::string status_cache_key;  // env_status: its cache key
  std::vector<proto::AppSummary> apps() override {
    return {{"web", {{"staging", "v1", "blue", ""}, {"production", "", "", ""}}},
            {"blog", {{"prod", "", "", ""}}}};
  }
  Result<proto::EnvStatus> env_status(const std::string& app, const std::string& env) override {
    if (auto missing = find(app, env)) return *missing;
    if (throw_on_status) throw std::runtime_error("the store is unreadable");
    proto::EnvStatus status;
    status.app = app;
    status.env = env;
    if (!status_version.empty()) {
      status.live.emplace();
      status.live->version = status_version;
    }
    status.cache_key = status_cache_key;
    return status;
  }
  Result<std::vector<proto::Release>> releases(const std::string& app,
                                               const std::string& env) override {
    if (auto missing = find(app, env)) return *missing;
    proto::Release release;
    release.version = "v1";
    return std::vector<proto::Release>{release};
  }
  Result<std::vector<proto::Deployment>> deployments(const std::string& app, const std::string& env,
                                                     std::size_t limit) override {
    if (auto missing = find(app, env)) return *missing;
    last_limit = limit;
    return std::vector<proto::Deployment>{make("d-2", app, env, "v2"), make("d-1", app, env, "v1")};
  }
  Result<proto::Deployment> deploy(const DeployCommand& command) override {
    if (auto missing = find(command.app, command.env)) return *missing;
    last_deploy = command;
    if (running) return proto::ApiError{proto::ErrorCode::conflict, "a deployment runs", "d-1"};
    return make("d-2", command.app, command.env, command.request.version);
  }
  Result<proto::Deployment> rollback(const RollbackCommand& command) override {
    if (auto missing = find(command.app, command.env)) return *missing;
    last_rollback = command;
    return make("d-3", command.app, command.env, command.request.release);
  }
  Result<proto::Deployment> promote(const PromoteCommand& command) override {
    if (auto missing = find(command.app, command.env)) return *missing;
    last_promote = command;
    return make("d-4", command.app, command.env, "v1");
  }
  Result<proto::Deployment> deployment(const std::string& id) override {
    if (id != "d-1") return proto::ApiError{proto::ErrorCode::not_found, "no deployment", {}};
    return make("d-1", "web", "staging", "v1");
  }
  Result<proto::Deployment> cancel(const std::string& id, const Actor&) override {
    return deployment(id);
  }
  Result<EventsPage> events(const std::string& id, std::uint64_t) override {
    if (id != "d-1") return proto::ApiError{proto::ErrorCode::not_found, "no deployment", {}};
    return EventsPage{};
  }
  Result<bool> logs(const LogsQuery&, const std::function<bool(std::string_view)>&) override {
    return true;
  }
  Health health() override { return {.docker = docker_up, .reconciled = reconciled}; }
  Result<proto::MaintenanceStatus> start_maintenance(const MaintenanceCommand& command) override {
    if (auto missing = find(command.app, command.env)) return *missing;
    last_maintenance = command;
    in_maintenance = true;
    return proto::MaintenanceStatus{command.request.message, command.request.retry_after_seconds, {},
                                    command.actor.token_id};
  }
  Result<bool> end_maintenance(const std::string& app, const std::string& env, const Actor&) override {
    if (auto missing = find(app, env)) return *missing;
    bool was = in_maintenance;
    in_maintenance = false;
    return was;
  }
  Result<nlohmann::json> canary_status(const std::string& app, const std::string& env) override {
    if (auto missing = find(app, env)) return *missing;
    if (!canary_running) return proto::ApiError{proto::ErrorCode::not_found, "no canary runs", {}};
    return nlohmann::json{{"deployment_id", "d-1"}, {"step", 1}, {"weight", 10}};
  }
  Result<nlohmann::json> canary_command(const std::string& app, const std::string& env, CanaryAction action,
                                        const Actor&) override {
    auto status = canary_status(app, env);
    if (std::holds_alternative<nlohmann::json>(status)) last_canary_action = action;
    return status;
  }

  bool docker_up = true;
  bool reconciled = true;
  bool running = false;
  bool canary_running = false;
  std::optional<CanaryAction> last_canary_action;
  std::optional<DeployCommand> last_deploy;
  std::optional<RollbackCommand> last_rollback;
  std::optional<MaintenanceCommand> last_maintenance;
  bool in_maintenance = false;
  std::optional<PromoteCommand> last_promote;
  std::size_t last_limit = 0;

 private:
  static std::optional<proto::ApiError> find(const std::string& app, const std::string& env) {
    bool known = (app == "web" && (env == "staging" || env == "production")) ||
                 (app == "blog" && env == "prod");
    if (known) return std::nullopt;
    return proto::ApiError{proto::ErrorCode::not_found, "no such app or env", {}};
  }
  static proto::Deployment make(std::string id, std::string app, std::string env,
                                std::string version) {
    proto::Deployment d;
    d.id = std::move(id);
    d.app = std::move(app);
    d.env = std::move(env);
    d.version = std::move(version);
    return d;
  }
};

}  // namespace fical::agent::api::testing
