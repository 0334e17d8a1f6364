#pragma once
// What a deployment will do, decided before anything changes: the pure half of the
// engine. The executor carries a plan out; dry runs return it as JSON.
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/router/upstream.hpp"
#include "agent/store/state_store.hpp"
#include "proto/deployment.hpp"

namespace fical::agent::deploy {

/// One container to create for the new color.
struct ContainerPlan {
  std::string service;
  std::string name;
  std::string image;    // repository:version
  std::string network;  // "host" or a Docker network
  std::map<std::string, std::string> env;  // config env (+ PORT in host mode); env_file added at run
  std::map<std::string, std::string> labels;
  std::vector<std::string> command;
  std::optional<std::uint16_t> port;  // where the service listens (host port in host mode)
  proto::ServiceSpec spec;  // as configured (or as the release ran, for a rollback); recorded with it
  config::HealthCheck health;
  std::optional<config::BuildSpec> build;  // build mode: image is built, not pulled
};

/// The one-off migration container, from the new image.
struct MigrationPlan {
  std::string service;
  std::string name;
  std::string image;
  std::string network;
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> labels;
  proto::ServiceSpec spec;  // the service's: volumes and user
  std::chrono::milliseconds timeout{};
};

/// Everything a deployment of one environment will do, in order.
struct DeployPlan {
  std::string deployment_id;
  std::string app;
  std::string env;
  proto::DeploymentKind kind = proto::DeploymentKind::deploy;
  std::string version;
  std::string target_color;
  std::string live_color;                 // empty on the first deploy
  std::string live_version;
  bool reuse_warm_containers = false;     // rollback inside keep_warm: only switch
  bool current_env = false;               // rollback with today's env_file, not the recorded one
  std::vector<std::string> images;        // to pull when missing (deploys always pull)
  // Build mode: the version is a git ref of this source. Images of services with a build
  // are fical/<app>-<service>:<version> here; the executor pins them to the commit.
  std::optional<config::Source> source;
  std::optional<MigrationPlan> migration;
  std::vector<ContainerPlan> containers;
  std::vector<router::UpstreamTarget> upstreams;           // after the switch
  std::vector<router::UpstreamTarget> previous_upstreams;  // to switch back to; empty on first
  std::optional<std::string> env_file;
  std::chrono::milliseconds drain{};
  std::chrono::milliseconds stop_timeout{};
  std::chrono::milliseconds keep_warm{};
  std::string verify_path;
  int retain = 5;
};

/// Plans a deploy of `version` (or a rollback to it) into the color that is not live.
/// `recorded` is the release a rollback returns to: its services run with the specs it
/// recorded (those it has), not today's.
DeployPlan plan_deployment(const config::App& app, const config::Environment& env,
                           const store::EnvState& state, proto::DeploymentKind kind,
                           const std::string& version, const std::string& deployment_id,
                           const proto::Release* recorded = nullptr);

/// Container name -> its address on the environment's Docker network, for the containers
/// fical made that are running (routes.hpp reads them from Docker).
using ContainerAddresses = std::map<std::string, std::string>;

/// The upstream files that point every routed service of `env` at `color`. With host
/// networking a server is 127.0.0.1:<color port>. On a Docker network it is the
/// container's address from `addresses` (a down server when it has none); without
/// `addresses` (plans as shown) it is <container name>:<port>.
std::vector<router::UpstreamTarget> upstreams_for(const std::string& app, const config::Environment& env,
                                                  const std::string& color, const std::string& version,
                                                  const ContainerAddresses* addresses = nullptr);

/// The plan as shown to people (dry runs, the deployment record). Never includes
/// env_file values; it names the file only.
nlohmann::json to_json(const DeployPlan& plan);

}  // namespace fical::agent::deploy
