#pragma once
// Runs a program (no shell) to its end with a time limit, timing it: what the benchmark
// runs as a user would (fical-client, docker-compose).
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fical::bench {

/// How a finished command went.
struct CommandResult {
  int exit_code = -1;                  // -1: killed at the time limit
  std::chrono::milliseconds wall{0};   // from fork to exit
  std::string out;                     // stdout
  std::string err;                     // stderr
};

/// Runs argv with the current environment plus `extra_env`; SIGKILLs it after `limit`.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env = {},
                          std::chrono::milliseconds limit = std::chrono::seconds(120));

}  // namespace fical::bench
