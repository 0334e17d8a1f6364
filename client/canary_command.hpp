#pragma once
// `fical-client canary status|promote|abort --app A --env E`: the running canary's step,
// weight and window numbers; promote (100% now) or abort (weight 0, roll back now).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "client/exit_code.hpp"
#include "client/session.hpp"

namespace fical::client {

struct CanaryOptions {
  std::string action;  // status, promote or abort
  std::string app, env;
  bool json = false;
};

/// The status as lines: deployment, step of steps, weight, colors, then each color's
/// requests, errors, error ratio and p95, and the verdict.
std::string canary_status_text(const nlohmann::json& status);

ExitCode canary_command(const CanaryOptions& options, const GlobalOptions& global, Process& process);

/// Adds the `canary` subcommand to `app`; choosing it sets `action`.
void define_canary_command(CLI::App& app, std::function<ExitCode()>& action, const GlobalOptions& global,
                           Process& process);

}  // namespace fical::client
