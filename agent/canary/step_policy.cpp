#include "agent/canary/step_policy.hpp"

namespace fical::agent::canary {
namespace {

nlohmann::json color_json(const ColorNumbers& c) {
  return {{"requests", c.requests},
          {"errors", c.errors},
          {"failed_connects", c.failed_connects},
          {"error_ratio", c.error_ratio},
          {"p95_ms", c.p95_seconds * 1000.0}};
}

}  // namespace

StepDecision decide_step(std::chrono::milliseconds step_length, bool last_step,
                         std::chrono::milliseconds elapsed, const Verdict& verdict) {
  if (verdict.outcome == Outcome::fail) {
    return {StepAction::abort,
            verdict.breaches.empty() ? "fail" : to_string(verdict.breaches.front())};
  }
  if (elapsed < step_length) return {StepAction::hold, {}};
  if (verdict.outcome == Outcome::pass)
    return {last_step ? StepAction::promote : StepAction::advance, {}};
  if (elapsed < 2 * step_length) return {StepAction::hold, {}};
  return {StepAction::abort, to_string(Outcome::not_enough_data)};
}

const char* to_string(StepAction action) {
  switch (action) {
    case StepAction::hold:
      return "hold";
    case StepAction::advance:
      return "advance";
    case StepAction::promote:
      return "promote";
    case StepAction::abort:
      return "abort";
  }
  return "?";
}

nlohmann::json verdict_json(const Verdict& v) {
  auto breaches = nlohmann::json::array();
  for (auto breach : v.breaches) breaches.push_back(to_string(breach));
  return {{"outcome", to_string(v.outcome)}, {"breaches", breaches},
          {"p95_ratio", v.p95_ratio},        {"p95_compared", v.p95_compared},
          {"canary", color_json(v.canary)},  {"stable", color_json(v.stable)}};
}

}  // namespace fical::agent::canary
