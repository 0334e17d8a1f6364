#pragma once
// The real deployment engine in-process, against the shared dockerd and registry and a
// private nginx: one app with environments prod and staging, each routed at /<app>-<env>/.
#include <memory>
#include <string>

#include "agent/config/config.hpp"
#include "agent/deploy/clock.hpp"
#include "agent/deploy/deployment_manager.hpp"
#include "agent/docker/http_docker_engine.hpp"
#include "agent/router/nginx_control.hpp"
#include "agent/router/process_runner.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/state_store.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/test_site.hpp"

namespace fical::testing {

/// Builds the engine with a test config on a TestSite (prod and staging environments).
class EngineHarness {
 public:
  /// `service_yaml` is appended to the web service's settings (indented by the harness),
  /// `app_yaml` to the app's (build mode: `source: {repo: ...}`).
  explicit EngineHarness(const std::string& env_yaml = "", const std::string& service_yaml = "",
                         const std::string& app_yaml = "");
  ~EngineHarness();

  agent::deploy::DeploymentManager& manager() { return *manager_; }
  agent::docker::DockerEngine& docker() { return *docker_; }
  agent::store::StateStore& store() { return *store_; }
  /// The config the engine reads at each deployment: change it only between deployments.
  agent::config::Config& config() { return config_; }
  const std::string& app() const { return site_.app(); }
  std::uint16_t nginx_port() const { return site_.nginx().port(); }
  const PrivateNginx& nginx() const { return site_.nginx(); }
  PrivateNginx& nginx() { return site_.nginx(); }  // to stop and start it
  std::string path(const std::string& env = "prod") const { return site_.path(env); }
  std::string image(const std::string& tag) const;

  /// Starts a deployment (or rollback) and waits for it to end (at most 120 s).
  proto::Deployment deploy(const std::string& version, const std::string& env = "prod");
  proto::Deployment rollback(const std::string& release = "", const std::string& env = "prod",
                             bool current_env = false);
  proto::Deployment wait(const std::string& id);
  /// What nginx serves for the environment now (the app answers its version).
  std::string served(const std::string& env = "prod");
  /// Waits until nginx has a single worker generation and it serves `version`: load
  /// started before that could meet a worker of the previous configuration.
  bool settled_on(const std::string& version, const std::string& env = "prod");
  /// Names of this app's containers whose names contain `part`.
  std::vector<std::string> containers(const std::string& part = "");

 private:
  TestSite site_;  // first: its cleanup runs after the engine is gone
  TempDir state_dir_;
  agent::config::Config config_;
  agent::router::SpawnProcessRunner runner_;
  std::unique_ptr<agent::router::LocalNginx> control_;
  std::unique_ptr<agent::router::UpstreamRouter> router_;
  std::unique_ptr<agent::docker::HttpDockerEngine> docker_;
  agent::deploy::SteadyClock clock_;
  agent::deploy::SystemHost host_;
  std::unique_ptr<agent::store::StateStore> store_;
  std::unique_ptr<agent::deploy::DeploymentManager> manager_;
};

}  // namespace fical::testing
