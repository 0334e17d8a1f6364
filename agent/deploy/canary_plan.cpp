#include "agent/deploy/canary_plan.hpp"

#include <stdexcept>

#include "agent/config/parse_canary.hpp"

namespace fical::agent::deploy {

std::optional<std::string> check_canary_ask(const config::Environment& env, const config::NginxOptions& nginx,
                                            const CanaryAsk& ask) {
  if (!ask.requested) return std::nullopt;
  if (!ask.steps.empty()) {
    std::string why;
    if (!config::parse_steps_flag(ask.steps, why)) return "canary_steps: " + why;
  }
  if (nginx.access_log.empty()) return "a canary needs nginx.access_log in agent.yaml (the log it judges by)";
  if (env.services.empty()) return "the environment has no service";
  return std::nullopt;
}

void plan_canary(DeployPlan& plan, const config::Environment& env, const config::NginxOptions& nginx,
                 const CanaryAsk& ask) {
  plan.canary.reset();
  plan.canary_skipped.clear();
  if (!env.canary && !ask.requested) return;
  if (plan.kind == proto::DeploymentKind::rollback) {
    plan.canary_skipped = "a rollback switches at once";
    return;
  }
  if (plan.live_color.empty()) {
    plan.canary_skipped = "no release is live to compare the canary with";
    return;
  }
  if (plan.upstreams.empty()) {
    plan.canary_skipped = "no service has a port: nothing is routed";
    return;
  }
  if (nginx.access_log.empty()) {
    plan.canary_skipped = "nginx.access_log is not set";
    return;
  }
  CanaryPlan canary;
  canary.access_log = nginx.access_log;
  config::CanaryPolicy policy = env.canary.value_or(config::CanaryPolicy{});
  canary.analysis = policy.analysis;
  canary.steps = policy.steps;
  canary.steps_from = env.canary ? "env" : "default";
  if (!ask.steps.empty()) {
    std::string why;
    auto steps = config::parse_steps_flag(ask.steps, why);
    if (!steps) throw std::invalid_argument("canary_steps: " + why);
    canary.steps = std::move(*steps);
    canary.steps_from = "request";
  }
  plan.canary = std::move(canary);
}

}  // namespace fical::agent::deploy
