#pragma once
// The boundary between the HTTP API and the deployment engine. The API's handlers call
// only this; the engine (agent/deploy) implements it. Pure: no I/O types here.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/deployment.hpp"
#include "proto/errors.hpp"
#include "proto/release.hpp"
#include "proto/requests.hpp"

namespace fical::agent {

/// Who asked: the token id (never the token) and the peer, for records and the audit log.
struct Actor {
  std::string token_id;
  std::string peer;
};

struct DeployCommand {
  std::string app;
  std::string env;
  proto::DeployRequest request;
  Actor actor;
  std::string idempotency_key;  // from the Idempotency-Key header; empty when absent
};

struct RollbackCommand {
  std::string app;
  std::string env;
  proto::RollbackRequest request;
  Actor actor;
  std::string idempotency_key;
};

/// PUT /v1/apps/{app}/envs/{env}/maintenance, validated.
struct MaintenanceCommand {
  std::string app;
  std::string env;
  proto::MaintenanceRequest request;
  Actor actor;
};

/// A promotion of the live release of env `request.from` to env `env`.
struct PromoteCommand {
  std::string app;
  std::string env;
  proto::PromoteRequest request;
  Actor actor;
  std::string idempotency_key;
};

struct LogsQuery {
  std::string app;
  std::string env;
  std::string service;
  int tail = 100;
  bool follow = false;
  bool timestamps = false;
  std::optional<proto::TimePoint> since;  // lines from then on; none: all (the API reads "10m" or a time)
};

/// A page of a deployment's events: those with seq >= the asked index.
struct EventsPage {
  std::vector<proto::Event> events;
  proto::DeploymentState state = proto::DeploymentState::pending;
  bool ended = false;  // terminal: no event will follow the ones returned
};

template <typename T>
using Result = proto::Result<T>;

/// What an operator asks of a running canary.
enum class CanaryAction { promote, abort };

/// What GET /healthz reports: Docker and the agent's own start told apart.
struct Health {
  bool docker = false;      // Docker answered lately
  bool reconciled = false;  // the agent reconciled its state since it started: it accepts deployments
};

/// What the API needs from the deployment engine.
/// Thread-safety: every method may be called from any thread, concurrently. All return
/// promptly (a deploy runs on the engine's own threads after deploy() returns), except
/// logs(), which streams until the sink says stop, the container's log ends, or
/// `follow` is false and the tail is written.
class DeploymentService {
 public:
  virtual ~DeploymentService() = default;

  virtual std::vector<proto::AppSummary> apps() = 0;
  virtual Result<proto::EnvStatus> env_status(const std::string& app, const std::string& env) = 0;
  /// The environment's deployments, newest first, at most `limit`, without events.
  virtual Result<std::vector<proto::Deployment>> deployments(const std::string& app, const std::string& env,
                                                             std::size_t limit) = 0;
  virtual Result<std::vector<proto::Release>> releases(const std::string& app,
                                                       const std::string& env) = 0;

  /// 202 with the new (or, for a repeated Idempotency-Key, the earlier) deployment; 404 for
  /// an unknown app or env; 409 with deployment_id when one runs for the environment.
  virtual Result<proto::Deployment> deploy(const DeployCommand& command) = 0;
  virtual Result<proto::Deployment> rollback(const RollbackCommand& command) = 0;
  /// Like deploy, of the exact images live in command.request.from; refused (promotion_refused
  /// with a reason, bad_request for from == env) before anything changes when they may not be.
  virtual Result<proto::Deployment> promote(const PromoteCommand& command) = 0;

  virtual Result<proto::Deployment> deployment(const std::string& id) = 0;
  virtual Result<proto::Deployment> cancel(const std::string& id, const Actor& actor) = 0;
  /// Never blocks; watchers poll it (the API polls every ~50 ms while streaming).
  virtual Result<EventsPage> events(const std::string& id, std::uint64_t from) = 0;

  /// Streams container log text to `sink`; the sink returns false to stop.
  virtual Result<bool> logs(const LogsQuery& query,
                            const std::function<bool(std::string_view chunk)>& sink) = 0;

  /// Maintenance mode: on (or a new page), with the env's maintenance; off, with whether it
  /// was on (off when off already is no error); 404 for an unknown app or env; 409 while a deployment runs for it or when it
  /// routes no service; 503 when nginx refuses (nothing changed). Durable once answered.
  /// The defaults refuse (a service without maintenance mode).
  virtual Result<proto::MaintenanceStatus> start_maintenance(const MaintenanceCommand&) {
    return proto::ApiError{proto::ErrorCode::unavailable, "maintenance mode is not available here", {}};
  }
  virtual Result<bool> end_maintenance(const std::string&, const std::string&, const Actor&) {
    return proto::ApiError{proto::ErrorCode::unavailable, "maintenance mode is not available here", {}};
  }

  /// For GET /healthz, from memory: is Docker answering, and has the agent reconciled its
  /// state with it since it started (it accepts deployments only then).
  virtual Health health() = 0;

  /// The canary running in app/env: deployment id, step, weight, colors and the window's
  /// numbers (the deployment's `analysis`); 404 when none runs.
  virtual Result<nlohmann::json> canary_status(const std::string& app, const std::string& env) = 0;
  /// promote: 100% to the canary now (then drain and retire as usual); abort: weight 0 and
  /// roll back now. Answers the status as it is when asked; 404 when no canary runs.
  virtual Result<nlohmann::json> canary_command(const std::string& app, const std::string& env, CanaryAction action,
                                                const Actor& actor) = 0;
};

}  // namespace fical::agent
