#pragma once
// Carries out a DeployPlan: resolve and build (build mode) or pull, migrate, start the new color, health gate, switch
// nginx, verify, drain, retire. Before the switch any failure removes the new
// containers and leaves the old color untouched; after it, a failure switches back.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/deploy/clock.hpp"
#include "agent/deploy/container_view.hpp"
#include "agent/deploy/deployment_log.hpp"
#include "agent/deploy/docker_specs.hpp"
#include "agent/deploy/host.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/docker/engine.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::deploy {

/// What the executor works with. `router` is null when no service is routed.
struct ExecutorDeps {
  docker::DockerEngine& docker;
  router::UpstreamRouter* router;
  store::StateStore& store;
  Clock& clock;
  Host& host;  // probes, free disk, wall time, the agent's environment variables
  const config::Config& config;
  ContainerView* view = nullptr;  // refreshed for this env as the deployment ends
};

/// Runs one deployment on the calling thread. Not thread-safe; one per deployment.
class Executor {
 public:
  Executor(ExecutorDeps deps, DeploymentLog& log, const DeployPlan& plan);

  /// Runs every phase and finishes the log; returns the final state.
  proto::DeploymentState run();

 private:
  void preflight();
  /// env_file_vars_: today's env_file, or for a rollback the env the release ran with.
  void read_env_file();
  EnvVars read_todays_env_file(std::string& hash);
  // executor_env_sources.cpp: aws_secret / ssm_parameters over the env_file, pinned per release.
  void read_todays_env_sources();
  void pin_rollback_secrets(const proto::Release& release, bool have_snapshot);
  void pin_service_secrets(const proto::Release& release);
  /// The env_file and environment sources' variables with the service's own sources over them.
  EnvVars env_for(const std::string& service) const;
  // executor_rollback.cpp: a rollback runs the release as it ran.
  void prepare_rollback(const std::string& todays_env_hash);
  void choose_rollback_env(const proto::Release& release, const std::string& todays_env_hash);
  void pin_rollback_images(const proto::Release& release);
  void check_free_disk();
  /// After the images are here: the keys their fical.required-env label names are set.
  void check_required_env();
  void resolve_source();
  void build_images();
  void pull_images();
  void run_migration();
  void start_new_color();
  void wait_until_healthy();
  void switch_traffic();
  void verify_through_nginx();
  void record_new_release();
  void drain_old_color();
  void retire_old_color();
  void prune_old_releases();
  void prune_release_trees();

  void remove_new_containers();
  void switch_back();
  void check_cancelled();
  void enter(proto::Phase phase);
  std::vector<std::string> last_log_lines(const std::string& container, int lines);
  std::optional<docker::RegistryAuth> registry_auth(const std::string& image) const;
  void save_env_state();
  /// What serves while this deployment has not gone live: "v2 still serves", or nothing.
  std::string serving() const;
  /// Preflight: are the live color's containers running? Says so in the record.
  void check_live_color();
  const config::Environment& environment() const;

  ExecutorDeps deps_;
  DeploymentLog& log_;
  DeployPlan plan_;  // a copy: build mode pins its images to the resolved commit
  store::EnvState state_;
  EnvVars env_file_vars_;
  std::string env_hash_;            // keyed hash of the env_file text env_file_vars_ came from
  std::vector<proto::SecretVersion> secret_versions_;         // of the sources in env_file_vars_
  std::vector<proto::SecretVersion> todays_secret_versions_;  // today's, for a rollback's comparison
  std::map<std::string, EnvVars> service_vars_;  // service -> its own sources' variables
  bool recreate_retained_ = false;  // rollback with a changed env: retained containers won't do
  std::vector<proto::ServiceImage> images_;
  std::string commit_;  // build mode: the commit resolved and built
  std::filesystem::path tree_;  // build mode: its release tree
  std::vector<std::string> created_;    // containers this deployment created
  std::vector<std::string> restarted_;  // retained containers a rollback started
  bool switched_ = false;
  bool live_running_ = true;  // the live color's containers ran at preflight
  std::vector<router::UpstreamTarget> applied_;  // the upstreams the switch made live
};

}  // namespace fical::agent::deploy
