#pragma once
// The agent's command line.
#include <optional>
#include <string>
#include <vector>

namespace fical::agent {

enum class LogFormat { text, json };

/// `fical-agent import-compose FILE ...`: print agent.yaml's apps: for a compose file.
struct ImportComposeOptions {
  std::string file;
  std::string app;
  std::vector<std::string> environments;  // NAME=VAR=VALUE[,VAR=VALUE...] or NAME
  std::string image_prefix;
  std::string source;
};
/// `fical-agent state ...`: inspect state_dir/fical.db, then exit.
enum class StateCommand { none, check, dump, backup };

/// What `fical-agent` was asked to do, from its command line.
struct Options {
  std::string config_path = "/etc/fical/agent.yaml";
  bool show_version = false;
  bool check_config = false;  // validate the config, print "ok" or its errors, exit
  LogFormat log_format = LogFormat::text;
  std::optional<ImportComposeOptions> import_compose;  // the subcommand, when given
  StateCommand state_command = StateCommand::none;
  std::string state_dir;    // state commands: overrides the config's state_dir when set
  std::string backup_file;  // state backup FILE
};

/// The result of parsing: options to run with, or an exit code and text to print.
struct ParsedOptions {
  std::optional<Options> options;
  int exit_code = 0;
  std::string output;  // help or error text, printed by main
};

/// Parses argv (argv[0] included) without printing or exiting.
ParsedOptions parse_options(const std::vector<std::string>& args);

}  // namespace fical::agent
