#pragma once
// How the executor's steps fail (executor*.cpp, inside the engine only): a StepError ends
// the deployment failed, or rolled back after the switch; Cancelled ends it cancelled.
// Both are std::exceptions, like every error in the agent (agent/README.md, "Errors");
// Executor::run catches Cancelled first.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace fical::agent::deploy {

/// A step that failed: why, in one sentence for the user, and the details for the event.
struct StepError : std::runtime_error {
  StepError(const std::string& reason, nlohmann::json more = nullptr)
      : std::runtime_error(reason), details(std::move(more)) {}
  nlohmann::json details;
};

/// The deployment was cancelled; thrown at a safe point, before the switch.
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled at a safe point") {}
};

}  // namespace fical::agent::deploy
