#pragma once
// Running the AWS CLI: an argv (never a shell), a deadline, stdout and stderr kept apart
// (stdout is the JSON answer and may hold secret values; stderr is the CLI's error).
#include <chrono>
#include <string>
#include <vector>

namespace fical::agent::secrets {

struct CliResult {
  int exit_code = -1;     // -1 when killed or not started
  bool timed_out = false;
  std::string out;        // stdout, whole (at most 16 MiB)
  std::string err;        // stderr, the last 8 KiB
  std::string error;      // why it could not start
};

/// Runs one AWS CLI command. Abstract so the fetcher's logic is tested without a child.
class AwsCli {
 public:
  virtual ~AwsCli() = default;
  virtual CliResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) = 0;
};

/// posix_spawn with stdin on /dev/null and two pipes; SIGKILL at the deadline. Stateless:
/// safe to share between threads.
class SpawnAwsCli : public AwsCli {
 public:
  CliResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override;
};

}  // namespace fical::agent::secrets
