#include "agent/deploy/plan.hpp"

#include "agent/deploy/build_output.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/router/upstream.hpp"

namespace fical::agent::deploy {
namespace {

std::optional<std::uint16_t> listen_port(const config::Environment& env, const config::Service& s,
                                         const std::string& color) {
  if (env.host_network()) return color == kBlue ? s.blue_port : s.green_port;
  return s.port;
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

DeployPlan plan_deployment(const config::App& app, const config::Environment& env,
                           const store::EnvState& state, proto::DeploymentKind kind,
                           const std::string& version, const std::string& deployment_id,
                           const proto::Release* recorded) {
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
  for (const auto& service : env.services) {
    bool built = app.source && service.build;
    auto image = (built ? built_image_repository(app.name, service.name) : service.image) + ":" + version;
    plan.images.push_back(image);
    ContainerPlan c;
    c.service = service.name;
    c.name = container_name(app.name, env.name, service.name, plan.target_color);
    c.image = image;
    c.network = env.network;
    const auto* spec = &service.spec;
    if (recorded && kind == proto::DeploymentKind::rollback) {
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
    plan.containers.push_back(std::move(c));
    if (service.migrate && kind == proto::DeploymentKind::deploy) {
      MigrationPlan m;
      m.service = service.name;
      m.name = migration_container_name(app.name, env.name, service.name, deployment_id);
      m.image = image;
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
  plan.reuse_warm_containers = kind == proto::DeploymentKind::rollback && state.warm_until &&
                               state.warm_color == plan.target_color;
  return plan;
}

nlohmann::json to_json(const DeployPlan& plan) {
  nlohmann::json containers = nlohmann::json::array();
  for (const auto& c : plan.containers) {
    nlohmann::json env_keys = nlohmann::json::array();
    for (const auto& [key, value] : c.env) env_keys.push_back(key);
    containers.push_back({{"service", c.service}, {"name", c.name}, {"image", c.image},
                          {"network", c.network}, {"env_keys", env_keys},
                          {"port", c.port ? nlohmann::json(*c.port) : nlohmann::json(nullptr)}});
  }
  nlohmann::json upstreams = nlohmann::json::array();
  for (std::size_t i = 0; i < plan.upstreams.size(); ++i) {
    const auto& next = plan.upstreams[i];
    nlohmann::json diff{{"file", router::upstream_file_name(next)}, {"to", next.servers}};
    for (const auto& prev : plan.previous_upstreams) {
      if (prev.service == next.service) diff["from"] = prev.servers;
    }
    upstreams.push_back(std::move(diff));
  }
  nlohmann::json json{{"kind", proto::to_string(plan.kind)},
                      {"version", plan.version},
                      {"target_color", plan.target_color},
                      {"live_color", plan.live_color},
                      {"live_version", plan.live_version},
                      {"images", plan.images},
                      {"containers", std::move(containers)},
                      {"upstreams", std::move(upstreams)},
                      {"drain", plan.drain.count()},
                      {"env_file", plan.env_file ? nlohmann::json(*plan.env_file) : nlohmann::json(nullptr)}};
  if (plan.source) json["build_mode"] = true;
  if (plan.migration) {
    json["migration"] = {{"service", plan.migration->service},
                         {"image", plan.migration->image},
                         {"command", plan.migration->command}};
  }
  return json;
}

}  // namespace fical::agent::deploy
