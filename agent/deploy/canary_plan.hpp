#pragma once
// Whether a deployment runs a canary, and with which steps and limits: the planner's
// decision (docs/canary.md), made from the env's strategy and what the deploy asked. Pure.
#include <optional>
#include <string>

#include "agent/config/config.hpp"
#include "agent/deploy/plan.hpp"

namespace fical::agent::deploy {

/// What a deploy asked for (DeployRequest's canary and canary_steps).
struct CanaryAsk {
  bool requested = false;
  std::string steps;  // "10:5m,50:5m"; empty: the env's steps (or the default ones)
};

/// Sets plan.canary when the env's strategy is canary or the deploy asked for one, and
/// the plan has a live color to compare with and a routed service; otherwise, when one
/// was wanted, plan.canary_skipped says why. Rollbacks never run a canary.
/// Throws std::invalid_argument when `ask.steps` is not a valid steps text.
void plan_canary(DeployPlan& plan, const config::Environment& env, const config::NginxOptions& nginx,
                 const CanaryAsk& ask);

/// Why a deploy's canary request cannot run here (bad steps, no nginx.access_log), or
/// std::nullopt: checked when the deploy is asked, before anything starts.
std::optional<std::string> check_canary_ask(const config::Environment& env, const config::NginxOptions& nginx,
                                            const CanaryAsk& ask);

}  // namespace fical::agent::deploy
