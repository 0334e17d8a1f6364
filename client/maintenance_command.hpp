#pragma once
// `fical-client maintenance on|off --app --env [--message TEXT] [--retry-after 10m]`.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "client/exit_code.hpp"
#include "client/session.hpp"

namespace fical::client {

struct MaintenanceOptions {
  bool on = true;
  std::string app, env, message;
  std::string retry_after = "10m";
  bool json = false;
};

ExitCode maintenance_command(const MaintenanceOptions& options, const GlobalOptions& global, Process& process);

/// Adds the `maintenance` subcommand (with `on` and `off`) to `app`; choosing it sets `action`.
void define_maintenance_command(CLI::App& app, std::function<ExitCode()>& action, const GlobalOptions& global,
                                Process& process);

}  // namespace fical::client
