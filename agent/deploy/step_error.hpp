#pragma once
// How the executor's steps fail; shared by executor.cpp and executor_switch.cpp only.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace fical::agent::deploy {

/// A step that failed; the deployment ends failed (or rolled back after the switch).
struct StepError : std::runtime_error {
  StepError(const std::string& reason, nlohmann::json more = nullptr)
      : std::runtime_error(reason), details(std::move(more)) {}
  nlohmann::json details;
};

/// The deployment was cancelled at a safe point.
struct Cancelled {};

}  // namespace fical::agent::deploy
