#include "client/cli.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>

#include "client/audit_command.hpp"
#include "client/canary_command.hpp"
#include "client/commands.hpp"
#include "client/maintenance_command.hpp"
#include "proto/version.hpp"

namespace fical::client {
namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 live (or done), 1 failed, rolled back, cancelled or interrupted, 2 usage,\n"
    "3 agent unreachable or refused (401/403/4xx/5xx), 4 --timeout passed while the deployment\n"
    "goes on in the agent (follow it with `fical-client wait <id>`).";

constexpr const char* kSettings =
    "Settings: --url / FICAL_URL / `url` in the config file (default http://127.0.0.1:7070;\n"
    "also https://HOST[:PORT] or unix:/run/fical/agent.sock). Token: --token-file /\n"
    "FICAL_TOKEN (the value) / FICAL_TOKEN_FILE / `token_file` in the config file; a token\n"
    "file readable by group or others is refused. Flags win over the environment, which wins\n"
    "over the config file (--config, default /etc/fical/client.yaml).";

void add_wait_flags(CLI::App* command, WaitFlags& flags) {
  command->add_flag("--no-wait", flags.no_wait, "Print the deployment id after the agent accepts it and exit 0");
  command->add_option("--timeout", flags.timeout, "Stop watching after this long (exit 4; the deployment goes on)")
      ->capture_default_str();
  command->add_flag("--json", flags.json, "Print only the final deployment record as JSON");
}

/// The CLI11 tree; `action` is set by the callback of the subcommand that was chosen.
struct Commands {
  GlobalOptions global;
  DeployOptions deploy;
  RollbackOptions rollback;
  PromoteOptions promote;
  StatusOptions status;
  StatusOptions releases;
  HistoryOptions history;
  LogsOptions logs;
  std::string id;
  WaitFlags wait;
  bool cancel_json = false;
  std::function<ExitCode()> action;
};

void define(CLI::App& app, Commands& c, Process& process) {
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(std::string(kSettings) + "\n\n" + kExitCodes);
  app.add_option("--url", c.global.url, "Agent address: http://HOST:PORT, https://HOST[:PORT], unix:/PATH");
  app.add_option("--token-file", c.global.token_file, "File holding the bearer token (mode 0600)");
  app.add_option("--config", c.global.config_path, "Client config file with keys url and token_file")
      ->capture_default_str()
      ->each([&c](const std::string&) { c.global.config_given = true; });
  app.add_option("--ca-file", c.global.ca_file, "PEM CA certificates to verify an https:// agent (default: system store)");

  auto* version = app.add_subcommand("version", "Print the client version");
  version->callback([&] {
    c.action = [&] {
      process.out << "fical-client " << proto::kVersion << "\n";
      return ExitCode::live;
    };
  });

  auto* deploy = app.add_subcommand("deploy", "Deploy a version of an app to an environment and watch it go live");
  deploy->add_option("--app", c.deploy.app, "App name")->required();
  deploy->add_option("--env", c.deploy.env, "Environment name")->required();
  deploy->add_option("--version", c.deploy.version, "Version (the image tag) to deploy")->required();
  deploy->add_flag("--dry-run", c.deploy.dry_run, "Show the plan; change nothing");
  deploy->add_flag("--canary", c.deploy.canary,
                   "Send the new version a growing share of the requests, judged from nginx's log");
  deploy->add_option("--steps", c.deploy.steps, "With --canary: weight:duration steps, like 10:5m,50:5m");
  deploy->add_option("--idempotency-key", c.deploy.idempotency_key,
                     "Repeat-safe key: the same key returns the same deployment");
  add_wait_flags(deploy, c.deploy.wait);
  deploy->footer("Examples:\n"
                 "  fical-client deploy --app filter-ical --env staging --version v1.2.3\n"
                 "  fical-client deploy --app web --env production --version v2 --timeout 30m\n"
                 "  fical-client deploy --app web --env staging --version v2 --no-wait\n"
                 "  fical-client deploy --app web --env production --version v2 --canary --steps 10:5m,50:5m\n\n" +
                 std::string(kExitCodes));
  deploy->callback([&] { c.action = [&] { return deploy_command(c.deploy, c.global, process); }; });

  auto* rollback = app.add_subcommand("rollback", "Roll an environment back to an earlier release");
  rollback->add_option("--app", c.rollback.app, "App name")->required();
  rollback->add_option("--env", c.rollback.env, "Environment name")->required();
  rollback->add_option("--release", c.rollback.release, "Release to go back to (default: the previous one)");
  rollback->add_flag("--dry-run", c.rollback.dry_run, "Show the plan; change nothing");
  rollback->add_flag("--current-env", c.rollback.current_env,
                     "Run the release with today's env_file (default: the env it ran with)");
  rollback->add_option("--idempotency-key", c.rollback.idempotency_key, "Repeat-safe key");
  add_wait_flags(rollback, c.rollback.wait);
  rollback->footer("Examples:\n"
                   "  fical-client rollback --app web --env production\n"
                   "  fical-client rollback --app web --env production --release v1.2.2\n"
                   "  fical-client rollback --app web --env production --current-env   # rotated secrets\n\n" +
                   std::string(kExitCodes));
  rollback->callback([&] { c.action = [&] { return rollback_command(c.rollback, c.global, process); }; });

  auto* promote = app.add_subcommand(
      "promote", "Deploy to an environment the exact images (digests) live and healthy in another");
  promote->add_option("--app", c.promote.app, "App name")->required();
  promote->add_option("--from", c.promote.from, "Environment whose live release is promoted, e.g. staging")->required();
  promote->add_option("--to", c.promote.to, "Environment that then runs it, e.g. production")->required();
  promote->add_flag("--dry-run", c.promote.dry_run, "Show the plan; change nothing");
  promote->add_option("--idempotency-key", c.promote.idempotency_key, "Repeat-safe key");
  add_wait_flags(promote, c.promote.wait);
  promote->footer("Runs in --to the images --from runs, by digest (never its tags again), with --to's own\n"
                  "config, env_file and migration. Refused before any change (exit 3) when --from has no\n"
                  "live release, runs a deployment, its last deployment failed, its containers are not\n"
                  "healthy now, or its release recorded no digest. A token with the promote scope may\n"
                  "promote but not deploy.\n\n"
                  "Examples:\n"
                  "  fical-client promote --app web --from staging --to production\n"
                  "  fical-client promote --app web --from staging --to production --dry-run --json\n\n" +
                  std::string(kExitCodes));
  promote->callback([&] { c.action = [&] { return promote_command(c.promote, c.global, process); }; });

  auto* status = app.add_subcommand("status", "Show the live release of an environment, or all apps");
  status->add_option("--app", c.status.app, "App name (with --env)");
  status->add_option("--env", c.status.env, "Environment name (with --app)");
  status->add_flag("--json", c.status.json, "Print the agent's answer as JSON");
  status->footer("Examples:\n  fical-client status\n  fical-client status --app web --env production --json");
  status->callback([&] { c.action = [&] { return status_command(c.status, c.global, process); }; });

  auto* releases = app.add_subcommand("releases", "List the releases of an environment");
  releases->add_option("--app", c.releases.app, "App name")->required();
  releases->add_option("--env", c.releases.env, "Environment name")->required();
  releases->add_flag("--json", c.releases.json, "Print the agent's answer as JSON");
  releases->footer("Example:\n  fical-client releases --app web --env production");
  releases->callback([&] { c.action = [&] { return releases_command(c.releases, c.global, process); }; });

  auto* history = app.add_subcommand("history", "List the deployments and rollbacks of an environment");
  history->add_option("--app", c.history.app, "App name")->required();
  history->add_option("--env", c.history.env, "Environment name")->required();
  history->add_option("--limit", c.history.limit, "How many, newest first (1-100)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  history->add_flag("--json", c.history.json, "Print the agent's answer as JSON");
  history->footer("Example:\n  fical-client history --app web --env production --limit 5");
  history->callback([&] { c.action = [&] { return history_command(c.history, c.global, process); }; });

  auto* logs = app.add_subcommand("logs", "Print the live containers' logs of a service");
  logs->add_option("--app", c.logs.app, "App name")->required();
  logs->add_option("--env", c.logs.env, "Environment name")->required();
  logs->add_option("--service", c.logs.service, "Service name")->required();
  logs->add_option("--tail", c.logs.tail, "Lines from the end")->capture_default_str()->check(CLI::Range(0, 10000));
  logs->add_flag("--follow", c.logs.follow, "Keep printing new lines");
  logs->add_option("--since", c.logs.since, "Only lines newer than this: 10m, 2h or 2026-01-31T12:00:00Z");
  logs->footer("Examples:\n  fical-client logs --app web --env staging --service api --tail 50\n"
               "  fical-client logs --app web --env staging --service api --follow --since 10m");
  logs->callback([&] { c.action = [&] { return logs_command(c.logs, c.global, process); }; });

  auto* wait = app.add_subcommand("wait", "Watch a running deployment until it ends");
  wait->add_option("deployment-id", c.id, "The deployment's id")->required();
  wait->add_option("--timeout", c.wait.timeout, "Stop watching after this long (exit 4)")->capture_default_str();
  wait->add_flag("--json", c.wait.json, "Print only the final deployment record as JSON");
  wait->footer("Example:\n  fical-client wait 20261126T220313Z-web-staging-1 --timeout 30m\n\n" +
               std::string(kExitCodes));
  wait->callback([&] { c.action = [&] { return wait_command(c.id, c.wait, c.global, process); }; });

  auto* cancel = app.add_subcommand("cancel", "Ask the agent to abort a running deployment safely");
  cancel->add_option("deployment-id", c.id, "The deployment's id")->required();
  cancel->add_flag("--json", c.cancel_json, "Print the deployment record as JSON");
  cancel->footer("Example:\n  fical-client cancel 20261126T220313Z-web-staging-1");
  cancel->callback([&] { c.action = [&] { return cancel_command(c.id, c.cancel_json, c.global, process); }; });

  define_audit_command(app, c.action, c.global, process);
  define_maintenance_command(app, c.action, c.global, process);
  define_canary_command(app, c.action, c.global, process);
}

}  // namespace

int run(const std::vector<std::string>& args, Process& process) {
  CLI::App app{"fical-client: deploy, roll back and inspect apps through fical-agent",
               "fical-client"};
  Commands commands;
  define(app, commands, process);
  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, process.out, process.err);
    return code == 0 ? 0 : as_int(ExitCode::usage);
  }
  return commands.action ? as_int(commands.action()) : as_int(ExitCode::usage);
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Process process{out, err, [](const char*) { return std::string(); }, false, 80,
                  [](const AgentUrl&, const std::string&) -> std::unique_ptr<Transport> {
                    throw TransportError(TransportError::Kind::unreachable,
                                         "no transport in this process");
                  }};
  return run(args, process);
}

}  // namespace fical::client
