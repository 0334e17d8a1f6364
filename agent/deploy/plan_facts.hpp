#pragma once
// The I/O before planning: what the store and Docker say that the planner needs (the
// release a rollback returns to, whether its env was kept, whether today's env_file
// differs, the target color's containers). The dry run and the real run gather the same
// facts, so they plan the same.
#include <string>

#include "agent/config/config.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/deploy/promotion.hpp"
#include "agent/docker/engine.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::deploy {

/// What was asked for; with the facts, all a plan is made from.
struct PlanRequest {
  proto::DeploymentKind kind = proto::DeploymentKind::deploy;
  std::string version;
  std::string deployment_id;
  bool current_env = false;  // rollbacks
  std::optional<proto::PromotedFrom> promoted_from;  // promotions: the release run
  bool canary = false;       // deploys: a canary asked for (canary_plan.hpp)
  std::string canary_steps;  // its steps as asked; empty: the env's
};

/// Reads the store and inspects the target color's containers. `state` is the env state
/// the plan is made against. The commit (build mode) is left to the caller. Throws
/// DockerError when Docker does not answer.
PlanFacts gather_plan_facts(docker::DockerEngine& docker, store::StateStore& store, const config::App& app,
                            const config::Environment& env, const store::EnvState& state, const PlanRequest& request);

/// The release `from` (env + deployment id) names in the store, or nullopt.
std::optional<proto::Release> promoted_release(store::StateStore& store, const std::string& app,
                                               const proto::PromotedFrom& from);

/// A promotion's facts about its source env `from` from the store and Docker (its live
/// color's containers inspected now). The running deployment and the containers view are
/// the manager's to add. Throws DockerError when Docker does not answer.
PromotionFacts gather_promotion_facts(docker::DockerEngine& docker, store::StateStore& store, const config::App& app,
                                      const config::Environment& from);

/// Whether today's env_file differs from the one `release` ran with (false when it cannot
/// be read: the deployment's preflight says so).
bool env_file_changed_since(store::StateStore& store, const config::Environment& env, const proto::Release& release);

}  // namespace fical::agent::deploy
