#pragma once
// Runs a program (no shell) to its end with a time limit, timing it: what the benchmark
// runs as a user would (fical-client, docker-compose).
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace fical::bench {

/// How a finished command went: exit_code (-1: killed at the time limit), wall, out, err.
using CommandResult = testing::Finished;

/// Runs argv with the current environment plus `extra_env`; SIGKILLs it after `limit`.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env = {},
                          std::chrono::milliseconds limit = std::chrono::seconds(120));

}  // namespace fical::bench
