#pragma once
// fical-client's command line: CLI11 subcommands over the commands in commands.hpp.
#include <iosfwd>
#include <string>
#include <vector>

#include "client/exit_code.hpp"
#include "client/session.hpp"

namespace fical::client {

/// Runs the client with argv (argv[0] included) in `process`; returns the exit code.
int run(const std::vector<std::string>& args, Process& process);

/// For commands that need no agent (version, --help, usage errors): no environment,
/// not a terminal, and no way to reach an agent.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fical::client
