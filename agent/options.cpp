#include "agent/options.hpp"

#include <CLI/CLI.hpp>

#include <sstream>

#include "proto/version.hpp"

namespace fical::agent {

ParsedOptions parse_options(const std::vector<std::string>& args) {
  Options options;
  CLI::App app{"fical-agent: zero-downtime deployments of Docker apps behind nginx", "fical-agent"};
  app.add_option("-c,--config", options.config_path, "Agent configuration file")
      ->capture_default_str();
  app.add_flag("--version", options.show_version, "Print the version and exit");
  app.add_flag("--check-config", options.check_config,
               "Validate the configuration, print \"ok\" or every error, and exit 0 or 1");
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "Log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  ImportComposeOptions import_options;
  auto* import_compose = app.add_subcommand(
      "import-compose", "Print agent.yaml's apps: section for a docker-compose.yml (report on stderr); "
                        "changes no file, touches no daemon");
  import_compose->add_option("FILE", import_options.file, "The compose file")->required();
  import_compose->add_option("--app", import_options.app, "The app's name (default: the compose project's)");
  import_compose->add_option("--env", import_options.environments,
                             "An environment and the variables that make it: NAME=VAR=VALUE[,VAR=VALUE...] "
                             "(repeat for each; default: one, production)")
      ->allow_extra_args(false);
  import_compose->add_option("--image-prefix", import_options.image_prefix,
                             "REGISTRY/OWNER: services with build use images CI pushes as "
                             "REGISTRY/OWNER/APP-SERVICE");
  import_compose->add_option("--source", import_options.source,
                             "The app's git repository: services with build are built on the host (build mode)");
  auto* state = app.add_subcommand("state", "Inspect the state database (state_dir/fical.db) and exit");
  state->add_option("--state-dir", options.state_dir, "The state directory (default: the config's state_dir)");
  state->require_subcommand(1);
  auto* check = state->add_subcommand("check", "PRAGMA integrity_check and fical's invariants; exit 0 when ok, 1 not");
  auto* dump = state->add_subcommand("dump", "Print every deployment, event, release and env state as JSON");
  auto* backup = state->add_subcommand("backup", "Copy the database, online, to FILE (SQLite's backup API)");
  backup->add_option("file", options.backup_file, "The copy to write (must not exist)")->required();
  check->callback([&] { options.state_command = StateCommand::check; });
  dump->callback([&] { options.state_command = StateCommand::dump; });
  backup->callback([&] { options.state_command = StateCommand::backup; });
  app.footer("Examples:\n  fical-agent --config /etc/fical/agent.yaml\n"
             "  fical-agent --config /etc/fical/agent.yaml --check-config\n"
             "  fical-agent --config /etc/fical/agent.yaml state check\n"
             "  fical-agent state --state-dir /var/lib/fical backup /root/fical-backup.db\n"
             "  fical-agent import-compose docker-compose.yml --env staging=ENVIRONMENT=staging \\\n"
             "      --env production=ENVIRONMENT=production --source https://github.com/owner/app");

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app.exit(e, out, err);
    return {std::nullopt, code == 0 ? 0 : 2, out.str() + err.str()};
  }
  options.log_format = log_format == "json" ? LogFormat::json : LogFormat::text;
  if (import_compose->parsed()) options.import_compose = import_options;
  if (options.show_version) {
    return {std::nullopt, 0, "fical-agent " + std::string(proto::kVersion) + "\n"};
  }
  return {options, 0, {}};
}

}  // namespace fical::agent
