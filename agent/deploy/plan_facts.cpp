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

std::optional<proto::Release> promoted_release(store::StateStore& store, const std::string& app,
                                               const proto::PromotedFrom& from) {
  for (const auto& release : store.load_releases(app, from.env)) {
    if (release.deployment_id == from.deployment_id) return release;
  }
  return std::nullopt;
}

PromotionFacts gather_promotion_facts(docker::DockerEngine& docker, store::StateStore& store, const config::App& app,
                                      const config::Environment& from) {
  // Enough to pass the dry runs an operator may have made since: the newest that is not one.
  constexpr std::size_t kRecentDeployments = 50;
  PromotionFacts facts;
  facts.source = store.load_env(app.name, from.name);
  for (auto& d : store.deployments_of(app.name, from.name, kRecentDeployments)) {
    if (d.dry_run) continue;
    d.events.clear();
    facts.last_deployment = std::move(d);
    break;
  }
  if (facts.source.live_color.empty()) return facts;
  for (const auto& service : from.services) {
    SourceContainer c;
    c.service = service.name;
    c.name = container_name(app.name, from.name, service.name, facts.source.live_color);
    if (auto info = docker.inspect_container(c.name)) {
      c.exists = true;
      c.running = info->state.running;
      c.health = info->state.health.status;
      c.release = label_value(info->labels, labels::kRelease);
    }
    facts.containers.push_back(std::move(c));
  }
  return facts;
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
  if (request.kind == proto::DeploymentKind::promote && request.promoted_from) {
    facts.recorded = promoted_release(store, app.name, *request.promoted_from);
    facts.promoted_from_env = request.promoted_from->env;
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
