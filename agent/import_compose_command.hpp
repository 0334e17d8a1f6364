#pragma once
// `fical-agent import-compose`: the edge around compose::import_compose. Reads the compose
// file and the .env next to it, prints YAML on stdout and the report on stderr. Writes no
// file and talks to no daemon.
#include <map>
#include <ostream>
#include <string>
#include <variant>

#include "agent/compose/import.hpp"
#include "agent/options.hpp"

namespace fical::agent {

/// "staging=ENVIRONMENT=staging,REGION=eu" -> {staging, {ENVIRONMENT: staging, REGION: eu}};
/// a bare "staging" has no variables. An error message when malformed.
std::variant<compose::EnvRequest, std::string> parse_env_request(const std::string& text);

/// This process's environment (interpolation reads it, as compose does).
std::map<std::string, std::string> process_environment();

/// Runs the subcommand; returns the exit code: 0 mapped, 1 invalid input, 2 bad arguments.
int run_import_compose(const ImportComposeOptions& options,
                       const std::map<std::string, std::string>& process_env, std::ostream& out,
                       std::ostream& err);

}  // namespace fical::agent
