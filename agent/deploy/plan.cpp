#include "agent/deploy/plan.hpp"

#include <algorithm>

#include "agent/deploy/build_output.hpp"
#include "agent/deploy/docker_specs.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/promotion.hpp"
#include "agent/router/upstream.hpp"

namespace fical::agent::deploy {
namespace {

std::optional<std::uint16_t> listen_port(const config::Environment& env, const config::Service& s,
                                         const std::string& color) {
  if (env.host_network()) return color == kBlue ? s.blue_port : s.green_port;
  return s.port;
}

/// The digest `release` ran for `service`; empty when it recorded none.
std::string recorded_digest(const proto::Release& release, const std::string& service) {
  for (const auto& image : release.images) {
    if (image.service == service && !image.digest.empty()) return image.digest;
  }
  return {};
}

RollbackPlan plan_rollback(const config::Environment& env, const proto::Release& recorded, const PlanFacts& facts) {
  RollbackPlan r;
  r.deployment_id = recorded.deployment_id;
  r.env_hash = recorded.env_hash;
  r.secret_versions = recorded.secret_versions;
  r.env_changed = facts.env_file_changed;
  if (facts.current_env) {
    r.env_source = EnvSource::current;
    // Today's secret versions are only known once fetched (in preflight): with env sources
    // the env may differ, and recreating is right either way.
    r.recreate_retained = facts.env_file_changed || env.has_env_sources();
  } else if (facts.recorded_env_snapshot) {
    r.env_source = EnvSource::recorded;
  } else {
    r.env_source = EnvSource::current;
    r.snapshot_missing = env.env_file.has_value() || env.has_env_sources();
  }
  r.pin_secret_versions = !facts.current_env && (facts.recorded_env_snapshot || !r.secret_versions.empty());
  return r;
}

/// Today's start phase, decided: a rollback reuses the container still running its release
/// (keep_warm) or starts the one it left stopped, unless its env must change; anything
/// else is created, replacing whatever has the name.
ContainerAction start_action(const PlanFacts& facts, const std::string& name, const std::string& version,
                             bool rollback, bool reuse_warm, bool recreate_retained,
                             std::optional<std::string>& replaces) {
  auto found = facts.target_containers.find(name);
  if (found == facts.target_containers.end()) return ContainerAction::create;
  const auto& existing = found->second;
  bool same_release = existing.release == version;
  if (same_release && rollback && !recreate_retained) {
    if (existing.running && reuse_warm) return ContainerAction::reuse_warm;
    if (!existing.running) return ContainerAction::restart_retained;
  }
  replaces = existing.release.empty() ? "?" : existing.release;
  return ContainerAction::create;
}

}  // namespace

std::vector<router::UpstreamTarget> upstreams_for(const std::string& app, const config::Environment& env,
                                                  const std::string& color, const std::string& version,
                                                  const ContainerAddresses* addresses) {
  std::vector<router::UpstreamTarget> targets;
  for (const auto& service : env.services) {
    auto port = listen_port(env, service, color);
    if (!port) continue;
    router::UpstreamTarget target{app, env.name, service.name, color, version, {}, {}};
    auto suffix = ":" + std::to_string(*port);
    auto name = container_name(app, env.name, service.name, color);
    if (env.host_network()) {
      target.servers = {"127.0.0.1" + suffix};
    } else if (!addresses) {
      target.servers = {name + suffix};
    } else if (auto it = addresses->find(name); it != addresses->end()) {
      target.servers = {it->second + suffix};
    } else {
      target.down_reason = name + " is not running on " + env.network;
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

std::string_view to_string(ContainerAction action) {
  switch (action) {
    case ContainerAction::create: return "create";
    case ContainerAction::restart_retained: return "restart_retained";
    case ContainerAction::reuse_warm: return "reuse_warm";
  }
  return "create";
}

std::string_view to_string(EnvSource source) { return source == EnvSource::recorded ? "recorded" : "current"; }

std::string source_ref(proto::DeploymentKind kind, const std::string& version, const proto::Release* recorded) {
  if (kind != proto::DeploymentKind::deploy && recorded && !recorded->commit.empty()) return recorded->commit;
  return version;
}

std::vector<std::string> images_to_pull(const DeployPlan& plan) {
  std::vector<std::string> images;
  auto add = [&](const std::string& image) {
    if (std::find(images.begin(), images.end(), image) == images.end()) images.push_back(image);
  };
  auto local = [](const ContainerPlan& c) { return c.build || !c.expected_image_id.empty(); };
  for (const auto& c : plan.containers) {
    if (!local(c)) add(c.image);
  }
  if (plan.migration) {
    auto service = std::find_if(plan.containers.begin(), plan.containers.end(),
                                       [&](const ContainerPlan& c) { return c.service == plan.migration->service; });
    if (service == plan.containers.end() || !local(*service)) add(plan.migration->image);
  }
  return images;
}

DeployPlan plan_deployment(const config::App& app, const config::Environment& env,
                           const store::EnvState& state, proto::DeploymentKind kind,
                           const std::string& version, const std::string& deployment_id,
                           const PlanFacts& facts) {
  const bool rollback = kind == proto::DeploymentKind::rollback;
  const bool promotion = kind == proto::DeploymentKind::promote;
  const proto::Release* recorded = (rollback || promotion) && facts.recorded ? &*facts.recorded : nullptr;
  const proto::Release* promoted = promotion ? recorded : nullptr;
  DeployPlan plan;
  plan.deployment_id = deployment_id;
  plan.app = app.name;
  plan.env = env.name;
  plan.kind = kind;
  plan.version = version;
  plan.live_color = state.live_color;
  plan.live_version = state.live ? state.live->version : "";
  plan.target_color = state.live_color.empty() ? kBlue : other_color(state.live_color);
  plan.env_file = env.env_file;
  plan.drain = env.drain;
  plan.stop_timeout = env.stop_timeout;
  plan.keep_warm = env.keep_warm;
  plan.verify_path = env.verify_path;
  plan.retain = env.retain;
  plan.source = app.source;
  plan.current_env = rollback && facts.current_env;
  plan.reuse_warm_containers = rollback && state.warm_until && state.warm_color == plan.target_color;
  if (app.source) {
    plan.source_ref = source_ref(kind, version, recorded);
    plan.commit = promoted ? promoted->commit : facts.commit;
  }
  if (recorded && rollback) plan.rollback = plan_rollback(env, *recorded, facts);
  if (promoted) plan.promotion = PromotionPlan{facts.promoted_from_env, promoted->deployment_id};
  auto env_source = plan.rollback ? plan.rollback->env_source : EnvSource::current;
  bool recreate_retained = plan.rollback && plan.rollback->recreate_retained;

  for (const auto& service : env.services) {
    bool built = app.source && service.build;
    ContainerPlan c;
    c.service = service.name;
    c.name = container_name(app.name, env.name, service.name, plan.target_color);
    if (auto exact = promoted ? promoted_image(app, service, *promoted) : PromotedImage{}; !exact.image.empty()) {
      c.image = exact.image;  // the source's exact image: never re-resolved from a tag
      c.expected_image_id = exact.image_id;
      c.pinned_to_digest = true;
      built = false;  // built once, in the source env: not here
    } else if (built) {
      c.image = built_image_repository(app.name, service.name) + ":" + (plan.commit.empty() ? version : plan.commit);
    } else {
      c.image = service.image + ":" + version;
      if (auto digest = recorded ? recorded_digest(*recorded, service.name) : std::string(); !digest.empty()) {
        c.image = split_reference(c.image).first + "@" + digest;
        c.pinned_to_digest = true;
      }
    }
    c.network = env.network;
    const auto* spec = &service.spec;  // a promotion runs with the target env's own config
    if (recorded && rollback) {
      if (auto it = recorded->specs.find(service.name); it != recorded->specs.end()) spec = &it->second;
    }
    c.spec = *spec;
    c.env = spec->env;
    c.port = listen_port(env, service, plan.target_color);
    if (env.host_network() && c.port) c.env["PORT"] = std::to_string(*c.port);
    c.labels = spec->labels;
    for (const auto& [k, v] : container_labels(app.name, env.name, service.name, plan.target_color,
                                               version, deployment_id)) {
      c.labels[k] = v;
    }
    c.command = spec->command;
    c.health = service.health;
    if (built) c.build = service.build;
    c.env_source = env_source;
    c.action = start_action(facts, c.name, version, rollback, plan.reuse_warm_containers, recreate_retained,
                            c.replaces);
    plan.containers.push_back(std::move(c));
    if (service.migrate && !rollback) {
      MigrationPlan m;
      m.service = service.name;
      m.name = migration_container_name(app.name, env.name, service.name, deployment_id);
      m.image = plan.containers.back().image;
      m.network = env.network;
      m.command = service.migrate->command;
      m.env = spec->env;
      m.spec = *spec;
      m.labels = container_labels(app.name, env.name, service.name, plan.target_color, version,
                                  deployment_id);
      m.labels[labels::kRole] = "migration";
      m.timeout = service.migrate->timeout;
      plan.migration = std::move(m);
    }
  }
  plan.upstreams = upstreams_for(app.name, env, plan.target_color, version);
  if (!state.live_color.empty()) {
    plan.previous_upstreams = upstreams_for(app.name, env, state.live_color, plan.live_version);
  }
  return plan;
}

}  // namespace fical::agent::deploy
