#include "agent/deploy/deployment_run.hpp"

#include "agent/deploy/canary_plan.hpp"

#include "agent/deploy/source_resolve.hpp"
#include "agent/deploy/step_error.hpp"

namespace fical::agent::deploy {
namespace {

PlanRequest request_of(const proto::Deployment& record) {
  return {record.kind,          record.version, record.id,          record.env_source == "current",
          record.promoted_from, record.canary,  record.canary_steps};
}

/// A promotion runs the release it was accepted for, as recorded; why it cannot, or empty.
std::string unpromotable(const config::App& app, const config::Environment& env, const PlanRequest& request,
                         const PlanFacts& facts) {
  if (request.kind != proto::DeploymentKind::promote) return {};
  if (!request.promoted_from) return "a promotion without its source";
  if (!facts.recorded) {
    return "the release of " + request.promoted_from->env + " this promotion runs (deployment " +
           request.promoted_from->deployment_id + ") is no longer recorded";
  }
  auto refused = check_promoted_release(app, request.promoted_from->env, env, *facts.recorded);
  return refused ? refused->message : std::string();
}

/// Build mode resolves the ref to a commit first, except for a promotion: it runs images
/// the source env built, at the commit its release recorded.
bool resolves_source(const config::App& app, const PlanRequest& request) {
  return app.source && request.kind != proto::DeploymentKind::promote;
}

const proto::Release* recorded_of(const PlanFacts& facts) { return facts.recorded ? &*facts.recorded : nullptr; }

}  // namespace

proto::DeploymentState run_deployment(const ExecutorDeps& deps, DeploymentLog& log, const config::App& app,
                                      const config::Environment& env) {
  auto request = request_of(log.snapshot(false));
  auto state = deps.store.load_env(app.name, env.name);
  PlanFacts facts;
  try {
    facts = gather_plan_facts(deps.docker, deps.store, app, env, state, request);
  } catch (const docker::DockerError& e) {  // nothing was changed yet
    if (deps.view) deps.view->docker_failed();  // status says its containers are stale now
    log.enter_phase(proto::Phase::preflight);
    log.error(e.what());
    log.finish(proto::DeploymentState::failed, e.what());
    return proto::DeploymentState::failed;
  }
  if (auto why = unpromotable(app, env, request, facts); !why.empty()) {  // nothing was changed yet
    log.enter_phase(proto::Phase::preflight);
    log.error(why, {{"reason", "not_promotable"}});
    log.finish(proto::DeploymentState::failed, why);
    return proto::DeploymentState::failed;
  }
  SourceCheckout checkout;
  if (resolves_source(app, request)) {
    // The commit is an input of the plan: resolved first, so the plan pins images to it.
    if (log.cancel_requested()) {
      log.finish(proto::DeploymentState::cancelled, "cancelled before the switch");
      return proto::DeploymentState::cancelled;
    }
    auto serving = state.live ? state.live->version + " still serves" : std::string("no release was live before");
    try {
      checkout = resolve_source(log, deps.clock, deps.store.dir(), app.name, *app.source,
                                source_ref(request.kind, request.version, recorded_of(facts)), request.version,
                                serving);
    } catch (const StepError& e) {
      log.error(e.what(), e.details);
      log.finish(proto::DeploymentState::failed, e.what());
      return proto::DeploymentState::failed;
    }
    facts.commit = checkout.resolution.commit;
  }
  auto planned = plan_deployment(app, env, state, request.kind, request.version, request.deployment_id, facts);
  plan_canary(planned, env, deps.config.nginx, {request.canary, request.canary_steps});
  const auto& plan = planned;
  log.set_plan(to_json(plan), plan.target_color, plan.live_version);
  Executor executor(deps, log, plan, checkout.tree);
  return executor.run();
}

proto::DeploymentState resume_deployment(const ExecutorDeps& deps, DeploymentLog& log, const config::App& app,
                                         const config::Environment& env, const store::CanaryState& at) {
  auto request = request_of(log.snapshot(false));
  auto state = deps.store.load_env(app.name, env.name);
  // The plan as it was made: the same facts (the canary's containers are the target
  // color's now, which the planner replaces as it did) and the commit the canary runs.
  auto facts = gather_plan_facts(deps.docker, deps.store, app, env, state, request);
  if (at.resume) facts.commit = at.resume->commit;
  auto plan = plan_deployment(app, env, state, request.kind, request.version, request.deployment_id, facts);
  plan_canary(plan, env, deps.config.nginx, {request.canary, request.canary_steps});
  Executor executor(deps, log, plan);
  return executor.resume_canary(at);
}

DeployPlan plan_dry_run(docker::DockerEngine& docker, store::StateStore& store, const config::NginxOptions& nginx,
                        const config::App& app, const config::Environment& env, const PlanRequest& request,
                        std::string& source_error) {
  auto state = store.load_env(app.name, env.name);
  auto facts = gather_plan_facts(docker, store, app, env, state, request);
  if (resolves_source(app, request)) {
    try {
      facts.commit = resolve_commit(store.dir(), app.name, *app.source,
                                    source_ref(request.kind, request.version, recorded_of(facts)));
    } catch (const std::exception& e) {
      source_error = e.what();
    }
  }
  auto plan = plan_deployment(app, env, state, request.kind, request.version, request.deployment_id, facts);
  plan_canary(plan, env, nginx, {request.canary, request.canary_steps});
  return plan;
}

}  // namespace fical::agent::deploy
