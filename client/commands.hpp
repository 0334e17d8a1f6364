#pragma once
// The subcommands, once the command line is parsed. Each returns the process's exit code.
#include <string>

#include "client/exit_code.hpp"
#include "client/session.hpp"

namespace fical::client {

/// How deploy, rollback and wait watch and print: --no-wait, --timeout, --json.
struct WaitFlags {
  bool no_wait = false;
  bool json = false;
  std::string timeout = "15m";
};

struct DeployOptions {
  std::string app, env, version, idempotency_key;
  bool dry_run = false;
  bool canary = false;
  std::string steps;  // --steps 10:5m,50:5m (with --canary)
  WaitFlags wait;
};

struct RollbackOptions {
  std::string app, env, release, idempotency_key;
  bool dry_run = false;
  bool current_env = false;
  WaitFlags wait;
};

struct PromoteOptions {
  std::string app, from, to, idempotency_key;
  bool dry_run = false;
  WaitFlags wait;
};

struct StatusOptions {
  std::string app, env;
  bool json = false;
};

struct HistoryOptions {
  std::string app, env;
  int limit = 20;
  bool json = false;
};

struct LogsOptions {
  std::string app, env, service, since;
  int tail = 100;
  bool follow = false;
};

ExitCode deploy_command(const DeployOptions& options, const GlobalOptions& global, Process& process);
ExitCode rollback_command(const RollbackOptions& options, const GlobalOptions& global,
                          Process& process);
ExitCode promote_command(const PromoteOptions& options, const GlobalOptions& global, Process& process);
ExitCode wait_command(const std::string& id, const WaitFlags& flags, const GlobalOptions& global,
                      Process& process);
ExitCode cancel_command(const std::string& id, bool json, const GlobalOptions& global,
                        Process& process);
ExitCode status_command(const StatusOptions& options, const GlobalOptions& global,
                        Process& process);
ExitCode releases_command(const StatusOptions& options, const GlobalOptions& global,
                          Process& process);
ExitCode history_command(const HistoryOptions& options, const GlobalOptions& global, Process& process);
ExitCode logs_command(const LogsOptions& options, const GlobalOptions& global, Process& process);

}  // namespace fical::client
