#pragma once
// Running a program by argv, never through a shell, with a deadline: the one place the
// agent spawns children (nginx -t, the AWS CLI). Stateless: safe from any thread.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace fical::agent::process {

/// How a child's output is collected.
struct ProgramOptions {
  bool separate_stderr = false;       // stderr to `err` instead of mixed into `out`
  std::size_t max_out = 64 * 1024;    // `out` keeps its last max_out bytes...
  bool fail_when_out_full = false;    // ...or the child is killed and `error` says so
  std::size_t max_err = 8 * 1024;     // `err` keeps its last max_err bytes
  bool own_process_group = false;     // the deadline kills the child's children too
  bool search_path = true;            // argv[0] looked up in PATH (posix_spawnp)
};

struct ProgramResult {
  int exit_code = -1;     // -1 when killed or not started
  bool timed_out = false;
  std::string out;        // stdout (and stderr unless separate_stderr)
  std::string err;        // stderr with separate_stderr
  std::string error;      // why it could not start, or why it was stopped
  bool ok() const { return exit_code == 0 && !timed_out && error.empty(); }
};

/// Runs argv with stdin on /dev/null and its output on pipes; SIGKILL at the deadline.
ProgramResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const ProgramOptions& options = {});

}  // namespace fical::agent::process
