#pragma once
// Carries out a DeployPlan as it was made (plan.hpp decides; nothing here re-decides or
// changes it): preflight, build (build mode) or pull, migrate, start the new color, health
// gate, switch nginx, verify, drain, retire. Before the switch any failure removes the new
// containers and leaves the old color untouched; after it, a failure switches back.
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
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

struct StepError;  // step_error.hpp
}  // namespace fical::agent::deploy
namespace fical::agent::canary {
class AccessLogSource;  // access_log_source.hpp
struct WindowSpec;      // window_stats.hpp
}  // namespace fical::agent::canary
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
  /// A canary's access log (nginx.access_log) from its end; unset: a LogFollower on it.
  std::function<std::unique_ptr<canary::AccessLogSource>(const std::string& path)> open_access_log = nullptr;
};

/// Runs one deployment's plan on the calling thread. Not thread-safe; one per deployment.
class Executor {
 public:
  /// `tree`: build mode, the release tree of plan.commit (source_resolve.hpp).
  Executor(ExecutorDeps deps, DeploymentLog& log, const DeployPlan& plan, std::filesystem::path tree = {});

  /// Runs every phase and finishes the log; returns the final state.
  proto::DeploymentState run();
  /// After an agent restart mid-canary (canary_resume.cpp): takes over the canary's running
  /// containers and the release it recorded in `at`, runs the canary again from the step
  /// it was on (a fresh window at the same weight), then everything after as run() does.
  proto::DeploymentState resume_canary(const store::CanaryState& at);

 private:
  /// run() and resume_canary(): `until_canary`, the canary or not, then the switch, the
  /// release recorded, drain and retire; every failure handled as the design says.
  proto::DeploymentState carry_out(const std::function<void()>& until_canary);
  void preflight();
  /// env_file_vars_: today's env_file, or the env the release ran with (plan.rollback).
  void read_env_file();
  EnvVars read_todays_env_file(std::string& hash);
  // executor_env_sources.cpp: aws_secret / ssm_parameters over the env_file, pinned per release.
  void read_todays_env_sources();
  void pin_rollback_secrets(const RollbackPlan& rollback);
  void pin_service_secrets(const RollbackPlan& rollback);
  /// The env_file and environment sources' variables with the service's own sources over them.
  EnvVars env_for(const std::string& service) const;
  // executor_rollback.cpp: a rollback runs the release as it ran, as planned.
  void prepare_rollback(const RollbackPlan& rollback);
  void report_pinned_images();
  void check_free_disk();
  /// After the images are here: the keys their fical.required-env label names are set.
  void check_required_env();
  void build_images();
  void pull_images();
  void pull_image(const std::string& image);
  /// At preflight's start: the registry round trip of each image already here (only its tag
  /// is checked, nothing downloads) runs beside the checks; pull_images awaits it.
  void prefetch_present_images();
  void await_prefetched(const std::string& image, std::future<void>& pull);
  /// Why a pull failed, with data {reason: pull_failed, image, status}.
  StepError pull_failed(const std::string& image, const docker::DockerError& e) const;
  void run_migration();
  /// The migration, and meanwhile the new color's containers created (not started) under
  /// staging names: Docker's create is most of a start and needs nothing the migration
  /// changes; the retained containers of that color stay until the migration succeeded.
  /// start_new_color awaits the creation (its error is the start phase's).
  void migrate_and_create();
  void create_staged_containers();
  /// Staged containers of earlier deployments of this env (a crash mid-create), removed.
  void remove_stale_staged();
  /// Waits for the creation; rethrows its error unless `quietly`.
  void await_staged(bool quietly);
  void join_networks(const ContainerPlan& c, const std::string& id);
  void start_new_color();
  void wait_until_healthy();
  void switch_traffic();
  // executor_canary.cpp: the canary's steps instead of the full switch (plan_.canary).
  // Returns once the canary passed its last step (or an operator promoted it); throws a
  // StepError when it is aborted, Cancelled when the deployment is.
  void run_canary(const store::CanaryState* resume_at = nullptr);
  enum class StepEnd { passed, promote_now };
  StepEnd run_canary_step(canary::AccessLogSource& log, std::size_t index, const canary::WindowSpec& spec);
  /// Loads the split at `weight` percent (both colors) and returns who is which color.
  canary::WindowSpec load_split(int weight);
  /// As the deployment ends: the canary's outcome into the record, its store row cleared.
  void end_canary(proto::DeploymentState result, const std::string& reason);
  /// The canary's progress into the record, the store (durable) and the event stream.
  void publish_canary(const nlohmann::json& verdict, std::chrono::milliseconds elapsed, bool durable);
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
  /// Preflight: fical's upstream files for the live color, as it wrote them (an operator's
  /// edit would fail nginx -t or the switch back).
  void restore_own_upstreams();
  /// The preflight's nginx -t, run while the images are pulled: awaited before anything changes.
  void await_nginx_test();
  const config::Environment& environment() const;

  ExecutorDeps deps_;
  DeploymentLog& log_;
  const DeployPlan plan_;  // as planned: never changed here
  store::EnvState state_;
  EnvVars env_file_vars_;
  std::string env_hash_;            // keyed hash of the env_file text env_file_vars_ came from
  std::vector<proto::SecretVersion> secret_versions_;         // of the sources in env_file_vars_
  std::vector<proto::SecretVersion> todays_secret_versions_;  // today's, for a rollback's comparison
  std::map<std::string, EnvVars> service_vars_;  // service -> its own sources' variables
  std::vector<proto::ServiceImage> images_;
  std::filesystem::path tree_;  // build mode: the release tree of plan_.commit
  std::vector<std::string> created_;    // containers this deployment created
  std::vector<std::string> restarted_;  // retained containers a rollback started
  std::map<std::string, std::string> staged_;  // container name -> id, created during the migration
  std::future<void> staging_;  // create_staged_containers, until awaited: it owns created_ and staged_
  std::future<void> nginx_test_;  // preflight's, until awaited
  std::map<std::string, std::future<void>> prefetched_;  // image -> its pull, from preflight
  bool switched_ = false;
  bool live_running_ = true;  // the live color's containers ran at preflight
  std::vector<router::UpstreamTarget> applied_;  // the upstreams the switch made live
  store::CanaryState canary_;  // while the canary runs: what the store keeps of it
  // Requests and errors per color of the canary's finished steps (metrics read the sums).
  struct CanaryTotals {
    std::uint64_t canary_requests = 0, canary_errors = 0, stable_requests = 0, stable_errors = 0;
  } canary_totals_;
};

}  // namespace fical::agent::deploy
