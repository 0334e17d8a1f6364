#pragma once
// The deployment engine behind the API: starts deployments on threads of their own, one
// per environment at a time, and answers status, history, events and logs.
#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/config/config.hpp"
#include "agent/deploy/clock.hpp"
#include "agent/deploy/deployment_log.hpp"
#include "agent/deploy/env_locks.hpp"
#include "agent/deploy/host.hpp"
#include "agent/deploy/route_keeper.hpp"
#include "agent/deployment_service.hpp"
#include "agent/docker/engine.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::deploy {

struct ManagerDeps {
  const config::Config& config;
  docker::DockerEngine& docker;
  router::UpstreamRouter* router;  // null when no app has a routed service
  store::StateStore& store;
  Clock& clock;
  Host& host;
};

/// Thread-safe. Deployments run on their own threads and API calls never wait for one: they
/// take the manager's mutex only around memory and short store calls, never across a Docker
/// or registry call (a dry run's registry preview runs outside it). logs() streams for as
/// long as its caller reads.
class DeploymentManager : public DeploymentService {
 public:
  explicit DeploymentManager(ManagerDeps deps);
  /// Cancels deployments that have not switched yet, lets the others finish, joins.
  ~DeploymentManager() override;

  /// At start: in-flight deployments become interrupted and their containers go; the live
  /// color runs; the upstreams point at it. Returns what it did and found, for the log.
  /// Deployments are refused (unavailable) until it has succeeded once. Throws when
  /// Docker does not answer.
  std::vector<std::string> reconcile();
  /// Stops old colors whose keep_warm window has passed (also run by a housekeeping thread).
  void retire_expired_warm_colors();
  /// Called with the record of each deployment that ends (not dry runs), on its thread;
  /// for metrics and the audit log. Set it before the first deployment starts.
  void on_finished(std::function<void(const proto::Deployment&)> callback) { on_finished_ = std::move(callback); }

  std::vector<proto::AppSummary> apps() override;
  Result<proto::EnvStatus> env_status(const std::string& app, const std::string& env) override;
  Result<std::vector<proto::Release>> releases(const std::string& app, const std::string& env) override;
  Result<proto::Deployment> deploy(const DeployCommand& command) override;
  Result<proto::Deployment> rollback(const RollbackCommand& command) override;
  Result<proto::Deployment> promote(const PromoteCommand& command) override;
  Result<proto::Deployment> deployment(const std::string& id) override;
  Result<proto::Deployment> cancel(const std::string& id, const Actor& actor) override;
  Result<EventsPage> events(const std::string& id, std::uint64_t from) override;
  Result<bool> logs(const LogsQuery& query, const std::function<bool(std::string_view)>& sink) override;
  Health health() override;
  Result<nlohmann::json> canary_status(const std::string& app, const std::string& env) override;
  Result<nlohmann::json> canary_command(const std::string& app, const std::string& env, CanaryAction action,
                                        const Actor& actor) override;
  Result<std::vector<proto::Deployment>> deployments(const std::string& app, const std::string& env,
                                                     std::size_t limit) override;
  // maintenance_mode.cpp
  Result<proto::MaintenanceStatus> start_maintenance(const MaintenanceCommand& command) override;
  Result<bool> end_maintenance(const std::string& app, const std::string& env, const Actor& actor) override;

 private:
  struct Start {
    proto::DeploymentKind kind;
    std::string app, env, version;
    bool dry_run = false;
    Actor actor;
    std::string idempotency_key;
    std::string env_source{};  // rollbacks: "recorded" or "current"
    bool env_changed = false;  // rollbacks: today's env_file differs from the release's
    nlohmann::json env_preview = nullptr;  // dry runs: the env keys it would change (env_preview.hpp)
    std::optional<proto::PromotedFrom> promoted_from;  // promotions
    bool canary = false;       // deploys: asked for a canary
    std::string canary_steps{};  // and its steps ("10:5m,50:5m"), or the env's
  };
  /// The running deployment of app/env whose canary runs, or the error to answer.
  Result<std::shared_ptr<DeploymentLog>> running_canary(const std::string& app, const std::string& env);
  Result<proto::Deployment> start(const Start& request);
  proto::Deployment new_record(const Start& request);
  /// The plan and the registry's digests, recorded; nothing changes. Takes no lock.
  Result<proto::Deployment> dry_run(const Start& request, const config::App& app, const config::Environment& env);
  std::string new_deployment_id();
  /// On the deployment's own thread; gives `lease` back once the record is final.
  void run_deployment(std::shared_ptr<DeploymentLog> log, const config::App& app, const config::Environment& env,
                      EnvLease lease, std::optional<store::CanaryState> resume_at = std::nullopt);
  // canary_resume.cpp. Before reconcile marks unfinished deployments interrupted: those in
  // their canary whose row is recorded and whose both colors still run, by deployment id.
  std::map<std::string, store::CanaryState> resumable_canaries();
  /// The deployment `log` records on a thread of its own (resumed at `resume_at` if given).
  void launch_locked(std::shared_ptr<DeploymentLog> log, const config::App& app, const config::Environment& env,
                     EnvLease lease, std::optional<store::CanaryState> resume_at = std::nullopt);
  /// After reconcile: each of those runs again on a thread of its own, from its step.
  void resume_canaries(const std::map<std::string, store::CanaryState>& resumable);
  /// With the env's lease held: stops its warm color if the window has passed.
  void retire_warm_color(const config::App& app, const config::Environment& env);
  void forget_finished_locked();
  /// At construction: the envs in maintenance, from the store into the router and memory.
  void load_maintenance();
  /// The env's lease for a maintenance switch, or why not (404, 409, 503).
  std::variant<EnvLease, proto::ApiError> take_for_maintenance(const std::string& app, const std::string& env);
  /// The env's routed upstreams at its live color now (no servers before the first release).
  std::vector<router::UpstreamTarget> live_targets(const config::Environment& env, const std::string& app);
  void housekeeping();

  ManagerDeps deps_;
  std::mutex mutex_;
  EnvLocks locks_;  // locks inside: leases are given back without mutex_
  std::map<std::string, std::shared_ptr<DeploymentLog>> logs_;  // this process's deployments
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> reconciled_{false};  // deployments wait for the first reconcile
  std::atomic<bool> docker_answered_{false};  // before it: did its last attempt reach Docker
  std::condition_variable wake_;
  std::thread housekeeper_;
  std::function<void(const proto::Deployment&)> on_finished_;
  std::map<std::pair<std::string, std::string>, store::MaintenanceState> maintenance_;  // under mutex_
  ContainerView view_;                         // what status answers from
  std::unique_ptr<RouteKeeper> route_keeper_;  // started by the first reconcile
};

}  // namespace fical::agent::deploy
