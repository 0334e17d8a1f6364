#pragma once
// `fical-client audit [--limit N] [--json]`: the agent's latest audit log records.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "client/exit_code.hpp"
#include "client/session.hpp"

namespace fical::client {

struct AuditOptions {
  int limit = 20;
  bool json = false;
};

/// One record as a line: time, result, action, target, then token, peer, status, deployment.
std::string audit_text_line(const nlohmann::json& record);

ExitCode audit_command(const AuditOptions& options, const GlobalOptions& global, Process& process);

/// Adds the `audit` subcommand to `app`; choosing it sets `action`.
void define_audit_command(CLI::App& app, std::function<ExitCode()>& action, const GlobalOptions& global,
                          Process& process);

}  // namespace fical::client
