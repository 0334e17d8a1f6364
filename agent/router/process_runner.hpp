#pragma once
// Running a program by argv, never through a shell, with a deadline.
#include <chrono>
#include <string>
#include <vector>

namespace fical::agent::router {

struct ProcessResult {
  int exit_code = -1;      // -1 when killed or not started
  bool timed_out = false;
  std::string output;      // stdout and stderr together, at most 64 KiB (the tail)
  std::string error;       // why it could not start
  bool ok() const { return exit_code == 0 && !timed_out && error.empty(); }
};

/// Runs commands. Abstract so tests of logic can record calls instead.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) = 0;
};

/// posix_spawnp with stdout/stderr on a pipe; kills the child at the deadline.
class SpawnProcessRunner : public ProcessRunner {
 public:
  ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override;
};

}  // namespace fical::agent::router
