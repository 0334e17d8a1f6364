#pragma once
// What a canary does after a verdict: stay on the step, go to the next, promote, or
// abort. Pure; the executor's step loop (not wired yet) polls the log and asks this.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/canary/verdict.hpp"

namespace fical::agent::canary {

enum class StepAction {
  hold,     // keep this step's weight and poll again
  advance,  // the step passed: load the next step's weight
  promote,  // the last step passed: 100% to the canary, drain and retire the stable color
  abort,    // weight 0 for the canary, retire it, the deployment ends rolled_back
};

struct StepDecision {
  StepAction action = StepAction::hold;
  std::string reason;  // for abort: "error_ratio", "p95_ratio" or "not_enough_data"
};

/// A step lasts `step_length` from when its weight was loaded (`elapsed`). A failed
/// verdict aborts at once; a passed one at the end of the step advances (or promotes
/// after the last step). Without enough data at the end, the step is held up to twice
/// its length and then aborted: an unjudged canary is never promoted.
StepDecision decide_step(std::chrono::milliseconds step_length, bool last_step,
                         std::chrono::milliseconds elapsed, const Verdict& verdict);

const char* to_string(StepAction action);

/// The verdict as the event stream and the deployment record carry it:
/// {"outcome","breaches":[...],"p95_ratio","p95_compared","canary":{...},"stable":{...}},
/// each color with requests, errors, failed_connects, error_ratio and p95_ms.
nlohmann::json verdict_json(const Verdict& verdict);

}  // namespace fical::agent::canary
