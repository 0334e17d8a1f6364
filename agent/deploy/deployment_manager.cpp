#include "agent/deploy/deployment_manager.hpp"

#include <spdlog/spdlog.h>

#include <random>
#include <sstream>

#include "agent/deploy/canary_plan.hpp"
#include "agent/deploy/env_preview.hpp"
#include "agent/deploy/deployment_run.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/deploy/plan_facts.hpp"
#include "agent/deploy/promotion.hpp"
#include "agent/deploy/pull_preview.hpp"
#include "agent/store/atomic_file.hpp"
#include "proto/durations.hpp"

namespace fical::agent::deploy {
namespace {

using proto::ApiError;
using proto::ErrorCode;

ApiError not_found(std::string message) { return {ErrorCode::not_found, std::move(message), {}}; }

constexpr std::size_t kFinishedKept = 100;
// The view is current while Docker answered its refreshes within this (they run every 5 s).
constexpr std::chrono::seconds kViewFresh{12};
constexpr const char* kKeepWarmHolder = "keep-warm-expiry";  // the env lock's holder while it stops a color

}  // namespace

DeploymentManager::DeploymentManager(ManagerDeps deps) : deps_(deps) {
  housekeeper_ = std::thread([this] { housekeeping(); });
  route_keeper_ = std::make_unique<RouteKeeper>(RouteKeeperDeps{
      .config = deps_.config,
      .docker = deps_.docker,
      .router = deps_.router,
      .store = deps_.store,
      .view = view_,
      .busy = [this](const std::string& app, const std::string& env) { return locks_.holder(app, env).has_value(); }});
  load_maintenance();
}

DeploymentManager::~DeploymentManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, log] : logs_) log->request_cancel();
  }
  wake_.notify_all();
  housekeeper_.join();
  for (auto& worker : workers_) worker.thread.join();
  route_keeper_.reset();  // last: deployments nudge it as they end
}

std::string DeploymentManager::new_deployment_id() {
  thread_local std::mt19937 random{std::random_device{}()};
  auto now = proto::format_time(proto::now_ms());  // 2026-11-26T22:03:13.123Z
  std::string stamp;
  for (char c : now.substr(0, 19)) {
    if (std::isdigit(static_cast<unsigned char>(c))) stamp += c;
  }
  std::ostringstream id;
  id << "d-" << stamp.substr(0, 8) << "-" << stamp.substr(8) << "-" << std::hex
     << (random() & 0xffffff);
  return id.str();
}

void DeploymentManager::forget_finished_locked() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (*it->done) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  std::size_t finished = 0;
  for (const auto& [id, log] : logs_) finished += log->ended();
  for (auto it = logs_.begin(); finished > kFinishedKept && it != logs_.end();) {
    if (it->second->ended()) {
      it = logs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

proto::Deployment DeploymentManager::new_record(const Start& request) {
  proto::Deployment record;
  record.id = new_deployment_id();
  record.app = request.app;
  record.env = request.env;
  record.kind = request.kind;
  record.version = request.version;
  record.dry_run = request.dry_run;
  record.actor = request.actor.token_id;
  record.idempotency_key = request.idempotency_key;
  record.env_source = request.env_source;
  record.env_changed = request.env_changed;
  record.promoted_from = request.promoted_from;
  record.canary = request.canary;
  record.canary_steps = request.canary_steps;
  record.created_at = proto::now_ms();
  return record;
}

Result<proto::Deployment> DeploymentManager::dry_run(const Start& request, const config::App& app,
                                                     const config::Environment& env) {
  auto record = new_record(request);
  std::string source_error;
  DeployPlan plan;
  try {  // the facts and the planner the real run uses: it would run this plan
    plan = plan_dry_run(deps_.docker, deps_.store, deps_.config.nginx, app, env,
                        {request.kind, request.version, record.id, request.env_source == "current",
                         request.promoted_from, request.canary, request.canary_steps},
                        source_error);
  } catch (const docker::DockerError& e) {
    return ApiError{ErrorCode::unavailable, std::string("Docker: ") + e.what(), {}};
  }
  record.plan = to_json(plan);
  if (!source_error.empty()) record.plan["source_error"] = source_error;
  record.plan["pull"] = pull_preview(deps_.docker, deps_.config, plan);
  record.plan["env"] = request.env_preview;
  record.color = plan.target_color;
  record.previous_version = plan.live_version;
  record.state = proto::DeploymentState::succeeded;
  record.ended_at = record.created_at;
  record.events.push_back({0, record.created_at, proto::Phase::preflight, proto::EventLevel::info,
                           "dry run: nothing was changed", nullptr});
  deps_.store.save_deployment(record);
  return record;
}

Result<proto::Deployment> DeploymentManager::start(const Start& request) {
  const auto* app = deps_.config.find_app(request.app);
  if (!app) return not_found("no app named " + request.app + " is configured");
  const auto* env = app->find_environment(request.env);
  if (!env) return not_found("app " + request.app + " has no environment " + request.env);

  if (stopping_) return ApiError{ErrorCode::unavailable, "the agent is shutting down", {}};
  if (!reconciled_) {
    return ApiError{ErrorCode::unavailable,
                    "the agent is starting: it waits for Docker to answer and reconciles its state before it "
                    "accepts deployments; retry shortly",
                    {}};
  }
  // A dry run changes nothing and asks the registry, which may be slow: never under the
  // mutex that status, events and cancel take.
  if (request.dry_run) return dry_run(request, *app, *env);

  std::lock_guard lock(mutex_);
  forget_finished_locked();
  if (!request.idempotency_key.empty()) {
    auto known_id = deps_.store.find_idempotent(request.app, request.env, request.idempotency_key);
    if (known_id) {
      if (auto known = logs_.find(*known_id); known != logs_.end()) return known->second->snapshot(false);
      if (auto stored = deps_.store.load_deployment(*known_id)) {
        stored->events.clear();
        return *stored;
      }
    }
  }
  auto record = new_record(request);
  // A deployment that has ended holds its lease only until its thread returns: free.
  if (auto holder = locks_.holder(request.app, request.env)) {
    if (auto it = logs_.find(*holder); it != logs_.end() && it->second->ended()) {
      locks_.free_ended(request.app, request.env, *holder);
    }
  }
  auto taken = locks_.try_take(request.app, request.env, record.id);
  if (const auto* held = std::get_if<HeldBy>(&taken)) {
    return ApiError{ErrorCode::conflict,
                    "deployment " + held->holder + " is running for " + request.app + "/" + request.env,
                    held->holder};
  }
  auto lease = std::get<EnvLease>(std::move(taken));
  std::shared_ptr<DeploymentLog> log;
  try {
    log = std::make_shared<DeploymentLog>(record, deps_.store);
  } catch (const std::exception& e) {  // e.g. a full disk: refused before anything changed
    return ApiError{ErrorCode::unavailable,
                    "cannot record the deployment, so it was not started (nothing was changed): " +
                        std::string(e.what()),
                    {}};
  }
  logs_[record.id] = log;
  launch_locked(log, *app, *env, std::move(lease));
  return log->snapshot(false);
}

void DeploymentManager::launch_locked(std::shared_ptr<DeploymentLog> log, const config::App& app,
                                      const config::Environment& env, EnvLease lease,
                                      std::optional<store::CanaryState> resume_at) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  workers_.push_back({std::thread([this, log, app = &app, env = &env, done, lease = std::move(lease),
                                   resume_at = std::move(resume_at)]() mutable {
                        run_deployment(log, *app, *env, std::move(lease), std::move(resume_at));
                        *done = true;
                      }),
                      done});
}

void DeploymentManager::run_deployment(std::shared_ptr<DeploymentLog> log, const config::App& app,
                                       const config::Environment& env, EnvLease lease,
                                       std::optional<store::CanaryState> resume_at) {
  auto record = log->snapshot(false);
  try {
    ExecutorDeps executor_deps{.docker = deps_.docker,
                               .router = deps_.router,
                               .store = deps_.store,
                               .clock = deps_.clock,
                               .host = deps_.host,
                               .config = deps_.config,
                               .view = &view_};
    auto result = resume_at ? deploy::resume_deployment(executor_deps, *log, app, env, *resume_at)
                            : deploy::run_deployment(executor_deps, *log, app, env);
    spdlog::info("deployment {} of {}/{} {} ended {}", record.id, app.name, env.name, record.version,
                 proto::to_string(result));
  } catch (const std::exception& e) {
    log->error(std::string("internal error: ") + e.what());
    log->finish(proto::DeploymentState::failed, e.what());
  }
  if (on_finished_) {
    try {
      on_finished_(log->snapshot(false));
    } catch (const std::exception& e) {
      spdlog::warn("deployment {}: finish hook: {}", record.id, e.what());
    }
  }
  lease.release();
  route_keeper_->nudge();  // a container may have moved while it ran
}

Result<proto::Deployment> DeploymentManager::deploy(const DeployCommand& command) {
  Start request{.kind = proto::DeploymentKind::deploy,
                .app = command.app,
                .env = command.env,
                .version = command.request.version,
                .dry_run = command.request.dry_run,
                .actor = command.actor,
                .idempotency_key = command.idempotency_key,
                .canary = command.request.canary,
                .canary_steps = command.request.canary_steps};
  const auto* app = deps_.config.find_app(command.app);
  const auto* env = app ? app->find_environment(command.env) : nullptr;
  if (env) {
    if (auto bad = check_canary_ask(*env, deps_.config.nginx, {request.canary, request.canary_steps})) {
      return ApiError{ErrorCode::bad_request, *bad, {}};
    }
  }
  // Before start() takes the lock: it may wait on AWS.
  if (env && request.dry_run) request.env_preview = env_preview(deps_.config, app->name, *env, deps_.store, nullptr, false);
  return start(request);
}

Result<proto::Deployment> DeploymentManager::rollback(const RollbackCommand& command) {
  const auto* app = deps_.config.find_app(command.app);
  if (!app || !app->find_environment(command.env)) {
    return not_found(command.app + "/" + command.env + " is not configured");
  }
  auto state = deps_.store.load_env(command.app, command.env);
  if (!state.live) {
    return ApiError{ErrorCode::conflict, "nothing is live in " + command.app + "/" + command.env + " yet", {}};
  }
  auto history = deps_.store.load_releases(command.app, command.env);
  std::string target = command.request.release;
  if (target.empty()) {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      if (it->version != state.live->version) {
        target = it->version;
        break;
      }
    }
    if (target.empty()) {
      return ApiError{ErrorCode::conflict, "there is no earlier release to roll back to", {}};
    }
  }
  const auto* release = proto::latest_release(history, target);
  if (!release) return not_found("release " + target + " was never live in " + command.app + "/" + command.env);
  if (target == state.live->version) {
    return ApiError{ErrorCode::conflict, "release " + target + " is already live", {}};
  }
  Start request{.kind = proto::DeploymentKind::rollback,
                .app = command.app,
                .env = command.env,
                .version = target,
                .dry_run = command.request.dry_run,
                .actor = command.actor,
                .idempotency_key = command.idempotency_key,
                .env_source = command.request.current_env ? "current" : "recorded",
                .env_changed = env_file_changed_since(deps_.store, *app->find_environment(command.env), *release)};
  if (request.dry_run) {
    request.env_preview = env_preview(deps_.config, app->name, *app->find_environment(command.env), deps_.store,
                                      release, command.request.current_env);
  }
  return start(request);
}

Result<proto::Deployment> DeploymentManager::promote(const PromoteCommand& command) {
  const auto* app = deps_.config.find_app(command.app);
  const auto* to = app ? app->find_environment(command.env) : nullptr;
  if (!to) return not_found(command.app + "/" + command.env + " is not configured");
  const auto* from = app->find_environment(command.request.from);
  if (!from) return not_found(command.app + "/" + command.request.from + " is not configured");
  if (!command.idempotency_key.empty() &&
      deps_.store.find_idempotent(command.app, command.env, command.idempotency_key)) {
    // A repeat of a promotion already accepted: the earlier one, whatever the source is now.
    return start({.kind = proto::DeploymentKind::promote, .app = command.app, .env = command.env,
                  .actor = command.actor, .idempotency_key = command.idempotency_key});
  }
  PromotionFacts facts;
  try {  // Docker's word on the source's containers now: outside the mutex
    facts = gather_promotion_facts(deps_.docker, deps_.store, *app, *from);
  } catch (const docker::DockerError& e) {
    return ApiError{ErrorCode::unavailable,
                    "Docker does not answer, so the health of " + command.app + "/" + from->name +
                        " cannot be checked: " + e.what(),
                    {}};
  }
  facts.view = view_.containers(app->name, from->name);
  facts.view_state = view_.freshness(kViewFresh);
  {
    std::lock_guard lock(mutex_);
    // A deployment that has ended holds its lease only until its thread returns: not running.
    if (auto holder = locks_.holder(app->name, from->name); holder && *holder != kKeepWarmHolder) {
      auto it = logs_.find(*holder);
      if (it == logs_.end() || !it->second->ended()) facts.running_deployment = *holder;
    }
  }
  auto checked = check_promotion(*app, *from, *to, facts);
  if (const auto* refused = std::get_if<PromotionRefusal>(&checked)) {
    bool same = refused->reason == promotion_reason::kSameEnv;
    ApiError error{same ? ErrorCode::bad_request : ErrorCode::promotion_refused, refused->message, {}};
    error.reason = refused->reason;
    return error;
  }
  const auto& release = std::get<proto::Release>(checked);
  Start request{.kind = proto::DeploymentKind::promote,
                .app = command.app,
                .env = command.env,
                .version = release.version,
                .dry_run = command.request.dry_run,
                .actor = command.actor,
                .idempotency_key = command.idempotency_key,
                .promoted_from = proto::PromotedFrom{from->name, release.deployment_id}};
  if (request.dry_run) request.env_preview = env_preview(deps_.config, app->name, *to, deps_.store, nullptr, false);
  return start(request);
}

std::vector<proto::AppSummary> DeploymentManager::apps() {
  std::vector<proto::AppSummary> out;
  for (const auto& app : deps_.config.apps) {
    proto::AppSummary summary{app.name, {}};
    for (const auto& env : app.environments) {
      auto state = deps_.store.load_env(app.name, env.name);
      std::lock_guard lock(mutex_);
      summary.environments.push_back({env.name, state.live ? state.live->version : "", state.live_color,
                                      locks_.holder(app.name, env.name).value_or("")});
    }
    out.push_back(std::move(summary));
  }
  return out;
}

Result<proto::EnvStatus> DeploymentManager::env_status(const std::string& app_name, const std::string& env_name) {
  const auto* app = deps_.config.find_app(app_name);
  if (!app || !app->find_environment(env_name)) return not_found(app_name + "/" + env_name + " is not configured");
  proto::EnvStatus status;
  status.app = app_name;
  status.env = env_name;
  // Read before what they stamp: a change while the answer is made moves the stamp on.
  auto env_generation = deps_.store.env_generation();
  auto view_generation = view_.generation();
  status.live = deps_.store.load_env(app_name, env_name).live;
  status.containers = view_.containers(app_name, env_name);  // from memory: no Docker call
  // Never "no containers" for "Docker does not answer": the answer says how current it is.
  status.containers_view = view_.freshness(kViewFresh);
  std::lock_guard lock(mutex_);
  if (auto m = maintenance_.find({app_name, env_name}); m != maintenance_.end()) {
    status.maintenance = proto::MaintenanceStatus{m->second.message, m->second.retry_after_seconds, m->second.since,
                                                  m->second.by};
  }
  if (auto holder = locks_.holder(app_name, env_name)) {
    if (auto it = logs_.find(*holder); it != logs_.end()) status.running = it->second->snapshot(false);
    return status;  // a running deployment changes with every event: no key
  }
  if (env_generation) {
    status.cache_key = std::to_string(*env_generation) + "/" + std::to_string(view_generation) + "/" +
                       std::string(proto::to_string(status.containers_view));
    if (status.maintenance) status.cache_key += "/" + proto::to_json(*status.maintenance).dump();
  }
  return status;
}

Result<std::vector<proto::Release>> DeploymentManager::releases(const std::string& app, const std::string& env) {
  const auto* a = deps_.config.find_app(app);
  if (!a || !a->find_environment(env)) return not_found(app + "/" + env + " is not configured");
  auto history = deps_.store.load_releases(app, env);
  return std::vector<proto::Release>(history.rbegin(), history.rend());
}

Result<std::vector<proto::Deployment>> DeploymentManager::deployments(const std::string& app, const std::string& env,
                                                                      std::size_t limit) {
  const auto* a = deps_.config.find_app(app);
  if (!a || !a->find_environment(env)) return not_found(app + "/" + env + " is not configured");
  auto newest = deps_.store.deployments_of(app, env, limit);  // newest first, by index
  for (auto it = newest.begin(); it != newest.end(); ++it) {
    {
      std::lock_guard lock(mutex_);  // a running deployment: its live record
      if (auto live = logs_.find(it->id); live != logs_.end()) *it = live->second->snapshot(false);
    }
    it->events.clear();
  }
  return newest;
}

Result<proto::Deployment> DeploymentManager::deployment(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = logs_.find(id); it != logs_.end()) return it->second->snapshot();
  }
  if (auto stored = deps_.store.load_deployment(id)) return *stored;
  return not_found("no deployment " + id);
}

Result<proto::Deployment> DeploymentManager::cancel(const std::string& id, const Actor& actor) {
  std::lock_guard lock(mutex_);
  auto it = logs_.find(id);
  if (it == logs_.end()) {
    if (auto stored = deps_.store.load_deployment(id)) {
      return ApiError{ErrorCode::conflict,
                      "deployment " + id + " already ended " + std::string(proto::to_string(stored->state)), {}};
    }
    return not_found("no deployment " + id);
  }
  auto snapshot = it->second->snapshot(false);
  if (proto::is_terminal(snapshot.state)) {
    return ApiError{ErrorCode::conflict,
                    "deployment " + id + " already ended " + std::string(proto::to_string(snapshot.state)), {}};
  }
  it->second->request_cancel();
  it->second->warn("cancel requested by " + actor.token_id + ": stopping at the next safe point");
  return it->second->snapshot(false);
}

Result<EventsPage> DeploymentManager::events(const std::string& id, std::uint64_t from) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = logs_.find(id); it != logs_.end()) return it->second->events_since(from);
  }
  auto stored = deps_.store.load_deployment_header(id);
  if (!stored) return not_found("no deployment " + id);
  EventsPage page;
  page.state = stored->state;
  page.ended = true;  // not running in this agent: nothing more will come
  page.events = deps_.store.events_from(id, from);
  return page;
}

Result<bool> DeploymentManager::logs(const LogsQuery& query, const std::function<bool(std::string_view)>& sink) {
  const auto* app = deps_.config.find_app(query.app);
  const auto* env = app ? app->find_environment(query.env) : nullptr;
  if (!env) return not_found(query.app + "/" + query.env + " is not configured");
  if (!env->find_service(query.service)) {
    return not_found(query.app + "/" + query.env + " has no service " + query.service);
  }
  auto state = deps_.store.load_env(query.app, query.env);
  if (state.live_color.empty()) return not_found("nothing is live in " + query.app + "/" + query.env + " yet");
  docker::LogOptions options;
  options.tail = query.tail;
  options.follow = query.follow;
  options.timestamps = query.timestamps;
  options.timeout = query.follow ? std::chrono::hours(12) : std::chrono::seconds(30);
  if (query.since) {
    options.since = std::chrono::duration_cast<std::chrono::seconds>(query.since->time_since_epoch()).count();
  }
  auto container = container_name(query.app, query.env, query.service, state.live_color);
  try {
    deps_.docker.logs(container, options, [&](const docker::LogLine& line) {
      std::string text = line.timestamp.empty() ? line.text : line.timestamp + " " + line.text;
      text += '\n';
      return sink(text);
    });
  } catch (const docker::DockerError& e) {
    if (e.status() == 404) return not_found("container " + container + " does not exist");
    return ApiError{ErrorCode::unavailable, std::string("Docker: ") + e.what(), {}};
  }
  return true;
}

Health DeploymentManager::health() {
  // After the first reconcile the route keeper's view says whether Docker answered its
  // last refreshes (every 5 s, and after each event); before it, reconcile's own attempts
  // do. /healthz makes no Docker call of its own.
  if (!reconciled_) return {.docker = docker_answered_.load(), .reconciled = false};
  return {.docker = view_.docker_answered_within(kViewFresh), .reconciled = true};
}

void DeploymentManager::housekeeping() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    lock.unlock();
    try {
      retire_expired_warm_colors();
    } catch (const std::exception& e) {
      spdlog::warn("keep_warm housekeeping: {}", e.what());
    }
    lock.lock();
  }
}

void DeploymentManager::retire_expired_warm_colors() {
  for (const auto& app : deps_.config.apps) {
    for (const auto& env : app.environments) {
      if (!deps_.store.load_env(app.name, env.name).warm_until) continue;
      // Held for this env's work only: given back however it ends, so housekeeping can
      // never keep an env from deploys.
      auto taken = locks_.try_take(app.name, env.name, kKeepWarmHolder);
      if (!std::holds_alternative<EnvLease>(taken)) continue;  // a deployment runs: later
      retire_warm_color(app, env);
    }
  }
}

void DeploymentManager::retire_warm_color(const config::App& app, const config::Environment& env) {
  auto state = deps_.store.load_env(app.name, env.name);
  if (!state.warm_until || *state.warm_until > deps_.host.wall_now()) return;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(env.stop_timeout);
  for (const auto& service : env.services) {
    // A container removed by hand is already stopped (the engine's stop says so).
    deps_.docker.stop_container(container_name(app.name, env.name, service.name, state.warm_color), seconds);
  }
  spdlog::info("{}/{}: keep_warm ended, stopped the {} color", app.name, env.name, state.warm_color);
  state.warm_until.reset();
  state.warm_color.clear();
  deps_.store.save_env(app.name, env.name, state);
}

}  // namespace fical::agent::deploy

namespace fical::agent::deploy {

Result<std::shared_ptr<DeploymentLog>> DeploymentManager::running_canary(const std::string& app,
                                                                          const std::string& env) {
  const auto* a = deps_.config.find_app(app);
  if (!a || !a->find_environment(env)) return not_found(app + "/" + env + " is not configured");
  std::lock_guard lock(mutex_);
  if (auto holder = locks_.holder(app, env)) {
    if (auto it = logs_.find(*holder); it != logs_.end() && !it->second->ended() &&
                                       it->second->current_phase() == proto::Phase::canary) {
      return it->second;
    }
  }
  return not_found("no canary runs in " + app + "/" + env);
}

Result<nlohmann::json> DeploymentManager::canary_status(const std::string& app, const std::string& env) {
  auto found = running_canary(app, env);
  if (auto* error = std::get_if<proto::ApiError>(&found)) return *error;
  const auto& log = std::get<std::shared_ptr<DeploymentLog>>(found);
  auto status = log->analysis();
  if (status.is_null()) status = nlohmann::json::object();
  status["deployment_id"] = log->id();
  return status;
}

Result<nlohmann::json> DeploymentManager::canary_command(const std::string& app, const std::string& env,
                                                         CanaryAction action, const Actor& actor) {
  auto found = running_canary(app, env);
  if (auto* error = std::get_if<proto::ApiError>(&found)) return *error;
  const auto& log = std::get<std::shared_ptr<DeploymentLog>>(found);
  const bool promote = action == CanaryAction::promote;
  log->request_canary(promote ? CanaryCommand::promote : CanaryCommand::abort);
  log->warn(std::string("canary ") + (promote ? "promotion" : "abort") + " requested by " + actor.token_id,
            {{"event", promote ? "canary_promote_requested" : "canary_abort_requested"}, {"actor", actor.token_id}});
  auto status = log->analysis();
  if (status.is_null()) status = nlohmann::json::object();
  status["deployment_id"] = log->id();
  status["requested"] = promote ? "promote" : "abort";
  return status;
}

}  // namespace fical::agent::deploy
