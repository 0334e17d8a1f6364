#pragma once
// One deployment from its record to its end: the facts are gathered, the source resolved
// (build mode), the plan made and recorded, and an Executor carries it out as it is. A
// dry run plans from the same facts and stops there.
#include <string>

#include "agent/config/config.hpp"
#include "agent/deploy/deployment_log.hpp"
#include "agent/deploy/executor.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/deploy/plan_facts.hpp"

namespace fical::agent::deploy {

/// Runs the deployment `log` records on the calling thread and finishes the log; returns
/// its end state. Throws only what the executor does not handle (the caller records it).
proto::DeploymentState run_deployment(const ExecutorDeps& deps, DeploymentLog& log, const config::App& app,
                                      const config::Environment& env);

/// After a restart: the deployment `log` records, which was in its canary at `at`, planned
/// again and resumed at that step (Executor::resume_canary). When the plan no longer
/// matches the canary (no canary, another color or version), it ends as an abort does.
proto::DeploymentState resume_deployment(const ExecutorDeps& deps, DeploymentLog& log, const config::App& app,
                                         const config::Environment& env, const store::CanaryState& at);

/// A dry run's plan: what run_deployment would plan now. In build mode the ref is fetched
/// and resolved (no tree is written); when that fails `source_error` says why and the
/// built images keep the version as their tag. Throws DockerError when Docker does not answer.
DeployPlan plan_dry_run(docker::DockerEngine& docker, store::StateStore& store, const config::NginxOptions& nginx,
                        const config::App& app, const config::Environment& env, const PlanRequest& request,
                        std::string& source_error);

}  // namespace fical::agent::deploy
