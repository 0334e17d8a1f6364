#include "agent/deploy/plan_facts.hpp"

#include "agent/deploy/naming.hpp"
#include "agent/store/atomic_file.hpp"

namespace fical::agent::deploy {

bool env_file_changed_since(store::StateStore& store, const config::Environment& env, const proto::Release& release) {
  if (!env.env_file) return !release.env_hash.empty();
  try {
    auto text = store::read_file(*env.env_file);
    return text && store.env_fingerprint(*text) != release.env_hash;
  } catch (const std::exception&) {
    return false;
  }
}

PlanFacts gather_plan_facts(docker::DockerEngine& docker, store::StateStore& store, const config::App& app,
                            const config::Environment& env, const store::EnvState& state, const PlanRequest& request) {
  PlanFacts facts;
  if (request.kind == proto::DeploymentKind::rollback) {
    facts.current_env = request.current_env;
    auto history = store.load_releases(app.name, env.name);
    if (const auto* release = proto::latest_release(history, request.version)) {
      facts.recorded = *release;
      facts.recorded_env_snapshot =
          !request.current_env && store.load_env_snapshot(app.name, env.name, release->deployment_id).has_value();
      facts.env_file_changed = env_file_changed_since(store, env, *release);
    }
  }
  auto color = state.live_color.empty() ? std::string(kBlue) : other_color(state.live_color);
  for (const auto& service : env.services) {
    auto name = container_name(app.name, env.name, service.name, color);
    if (auto info = docker.inspect_container(name)) {
      facts.target_containers[name] = {info->state.running, label_value(info->labels, labels::kRelease)};
    }
  }
  return facts;
}

}  // namespace fical::agent::deploy
