// DeploymentManager's side of a canary that outlives the agent (docs/canary.md, "After a
// restart"): reconcile asks which deployments can resume before it marks the others
// interrupted, leaves their envs split as they were, and hands them back to a thread.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/deploy/deployment_manager.hpp"
#include "agent/deploy/naming.hpp"

namespace fical::agent::deploy {

std::map<std::string, store::CanaryState> DeploymentManager::resumable_canaries() {
  std::map<std::string, store::CanaryState> resumable;
  if (!deps_.router) return resumable;
  auto unfinished = deps_.store.unfinished_deployments();
  for (const auto& app : deps_.config.apps) {
    for (const auto& env : app.environments) {
      auto canary = deps_.store.load_canary(app.name, env.name);
      if (!canary || !canary->resume) continue;
      auto d = std::find_if(unfinished.begin(), unfinished.end(),
                            [&](const proto::Deployment& u) { return u.id == canary->deployment_id; });
      if (d == unfinished.end() || d->phase != proto::Phase::canary) continue;
      // Both colors still run: the canary can go on from its step. Otherwise it is over.
      bool running = !env.services.empty();
      for (const auto& service : env.services) {
        for (const auto& color : {canary->canary_color, canary->stable_color}) {
          auto info = deps_.docker.inspect_container(container_name(app.name, env.name, service.name, color));
          running = running && info && info->state.running;
        }
      }
      if (running) resumable.emplace(d->id, *canary);
    }
  }
  return resumable;
}

void DeploymentManager::resume_canaries(const std::map<std::string, store::CanaryState>& resumable) {
  for (const auto& [id, at] : resumable) {
    auto record = deps_.store.load_deployment(id);
    if (!record) continue;
    const auto* app = deps_.config.find_app(record->app);
    const auto* env = app ? app->find_environment(record->env) : nullptr;
    if (!env) continue;  // resumable_canaries found it configured
    std::lock_guard lock(mutex_);
    auto taken = locks_.try_take(record->app, record->env, id);
    auto* lease = std::get_if<EnvLease>(&taken);
    if (!lease) continue;  // nothing else runs before reconcile ends
    try {
      auto log = std::make_shared<DeploymentLog>(*record, deps_.store);
      logs_[id] = log;
      launch_locked(log, *app, *env, std::move(*lease), at);
      spdlog::warn("reconcile: deployment {} of {}/{} resumes its canary at step {}", id, record->app, record->env,
                   at.step + 1);
    } catch (const std::exception& e) {
      spdlog::error("reconcile: deployment {} cannot resume its canary: {}", id, e.what());
    }
  }
}

}  // namespace fical::agent::deploy
