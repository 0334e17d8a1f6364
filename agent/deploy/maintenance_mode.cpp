// DeploymentManager's maintenance mode: the durable state (the store), the env's lease (no
// deployment runs while it switches) and the router, which writes the files.
#include <spdlog/spdlog.h>

#include "agent/deploy/deployment_manager.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/deploy/routes.hpp"

namespace fical::agent::deploy {
namespace {

using proto::ApiError;
using proto::ErrorCode;

constexpr const char* kMaintenanceHolder = "maintenance";  // the env lock's holder while it switches

router::MaintenancePage page_of(const store::MaintenanceState& m) {
  return {m.message, std::chrono::seconds(m.retry_after_seconds)};
}

}  // namespace

void DeploymentManager::load_maintenance() {
  for (const auto& app : deps_.config.apps) {
    for (const auto& env : app.environments) {
      auto m = deps_.store.load_maintenance(app.name, env.name);
      if (!m) continue;
      if (deps_.router) deps_.router->restore_maintenance(app.name, env.name, page_of(*m));
      std::lock_guard lock(mutex_);
      maintenance_[{app.name, env.name}] = *m;
    }
  }
}

std::vector<router::UpstreamTarget> DeploymentManager::live_targets(const config::Environment& env,
                                                                    const std::string& app) {
  auto state = deps_.store.load_env(app, env.name);
  if (state.live_color.empty()) {
    ContainerAddresses none;  // nothing is live: verify gets 502 until the first switch
    return upstreams_for(app, env, kBlue, "", &none);
  }
  return routed_upstreams(deps_.docker, app, env, state.live_color, state.live ? state.live->version : "");
}

std::variant<EnvLease, ApiError> DeploymentManager::take_for_maintenance(const std::string& app,
                                                                         const std::string& env) {
  const auto* a = deps_.config.find_app(app);
  if (!a || !a->find_environment(env)) return ApiError{ErrorCode::not_found, app + "/" + env + " is not configured", {}};
  if (!deps_.router || upstreams_for(app, *a->find_environment(env), kBlue, "").empty()) {
    return ApiError{ErrorCode::conflict, app + "/" + env + " routes no service through nginx: nothing to put in maintenance", {}};
  }
  if (stopping_) return ApiError{ErrorCode::unavailable, "the agent is shutting down", {}};
  if (!reconciled_) return ApiError{ErrorCode::unavailable, "the agent is starting: retry shortly", {}};
  std::lock_guard lock(mutex_);
  if (auto holder = locks_.holder(app, env)) {
    if (auto it = logs_.find(*holder); it != logs_.end() && it->second->ended()) locks_.free_ended(app, env, *holder);
  }
  auto taken = locks_.try_take(app, env, kMaintenanceHolder);
  if (auto* held = std::get_if<HeldBy>(&taken)) {
    bool deployment = logs_.count(held->holder) > 0;
    return ApiError{ErrorCode::conflict,
                    deployment ? "deployment " + held->holder + " is running for " + app + "/" + env +
                                     ": switch maintenance after it (deployments are allowed in maintenance)"
                               : app + "/" + env + " is busy (" + held->holder + "); retry shortly",
                    deployment ? held->holder : ""};
  }
  return std::get<EnvLease>(std::move(taken));
}

Result<proto::MaintenanceStatus> DeploymentManager::start_maintenance(const MaintenanceCommand& command) {
  auto taken = take_for_maintenance(command.app, command.env);
  if (auto* refused = std::get_if<ApiError>(&taken)) return *refused;
  auto lease = std::get<EnvLease>(std::move(taken));
  const auto& env = *deps_.config.find_app(command.app)->find_environment(command.env);
  auto before = deps_.store.load_maintenance(command.app, command.env);
  store::MaintenanceState m{command.request.message, command.request.retry_after_seconds,
                            before ? before->since : proto::now_ms(), command.actor.token_id};
  // Recorded first: a crash after nginx reloaded still comes back in maintenance.
  deps_.store.save_maintenance(command.app, command.env, m);
  try {
    deps_.router->start_maintenance(command.app, command.env, page_of(m), live_targets(env, command.app));
  } catch (const std::exception& e) {
    if (before) {
      deps_.store.save_maintenance(command.app, command.env, *before);
    } else {
      deps_.store.clear_maintenance(command.app, command.env);
    }
    return ApiError{ErrorCode::unavailable, std::string("maintenance was not turned on: ") + e.what(), {}};
  }
  {
    std::lock_guard lock(mutex_);
    maintenance_[{command.app, command.env}] = m;
  }
  spdlog::info("maintenance: {}/{} answers 503 (Retry-After {}s), by token {}", command.app, command.env,
               m.retry_after_seconds, m.by);
  return proto::MaintenanceStatus{m.message, m.retry_after_seconds, m.since, m.by};
}

Result<bool> DeploymentManager::end_maintenance(const std::string& app, const std::string& env_name,
                                                const Actor& actor) {
  auto taken = take_for_maintenance(app, env_name);
  if (auto* refused = std::get_if<ApiError>(&taken)) return *refused;
  auto lease = std::get<EnvLease>(std::move(taken));
  auto before = deps_.store.load_maintenance(app, env_name);
  const auto& env = *deps_.config.find_app(app)->find_environment(env_name);
  auto targets = live_targets(env, app);
  if (before) deps_.store.clear_maintenance(app, env_name);
  // Off when off already still writes the plain files (a maintenance file left behind goes).
  try {
    if (deps_.router->differs(targets) || deps_.router->in_maintenance(app, env_name)) {
      deps_.router->end_maintenance(app, env_name, targets);
    }
  } catch (const std::exception& e) {
    if (before) deps_.store.save_maintenance(app, env_name, *before);
    return ApiError{ErrorCode::unavailable, std::string("maintenance is still on: ") + e.what(), {}};
  }
  {
    std::lock_guard lock(mutex_);
    maintenance_.erase({app, env_name});
  }
  if (before) spdlog::info("maintenance: {}/{} serves again, by token {}", app, env_name, actor.token_id);
  return before.has_value();
}

}  // namespace fical::agent::deploy
