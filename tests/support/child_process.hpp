#pragma once
// Child processes for tests: started from argv (no shell), killed on scope exit, run to their
// end with a time limit, their output logged to a file or captured.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace fical::testing {

/// How a child is started: its environment and where its output goes.
struct SpawnOptions {
  /// Exactly these variables (argv[0] is then not searched in PATH); when unset, the current
  /// environment plus `extra_env` (which overrides), and argv[0] is searched in PATH.
  std::optional<std::map<std::string, std::string>> exact_env{};
  std::map<std::string, std::string> extra_env{};
  /// stdout and stderr appended to this file; when unset, each is captured for finish().
  std::optional<std::filesystem::path> log{};
  /// Captured stdout through a pseudo-terminal of 100 columns (what a person sees).
  bool terminal_stdout = false;
};

/// How a finished child went.
struct Finished {
  int exit_code = -1;                 // 128 + signal when a signal ended it; -1: killed at the time limit
  int signal = 0;                     // the signal that ended it, 0 if it exited
  std::chrono::milliseconds wall{0};  // from start to exit
  std::string out;                    // captured stdout
  std::string err;                    // captured stderr
};

/// A child process started from argv (no shell), stdin from /dev/null; SIGKILLed and reaped
/// on destruction.
class ChildProcess {
 public:
  /// Inherits the environment; stdout and stderr appended to `log`.
  explicit ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log = "/dev/null");
  ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  /// Sends `signal` and waits up to `timeout` for exit; returns the exit status or -1.
  int stop(int signal, std::chrono::milliseconds timeout);
  /// Captured stdout so far.
  std::string out_so_far();
  /// Waits for the exit, at most `limit` (then SIGKILL and exit_code -1); with the captured output.
  Finished finish(std::chrono::milliseconds limit);

 private:
  void spawn(const std::vector<std::string>& argv, const SpawnOptions& options);
  void drain_terminal();

  pid_t pid_ = -1;
  int start_error_ = 0;  // errno when the program could not be started (captured mode: exit 127)
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<TempDir> capture_;  // out and err files, when captured
  int terminal_ = -1;                 // the pty's master side, when stdout is a terminal
  std::string terminal_out_;          // what was read from it
};

/// Runs argv to its end (see ChildProcess::finish) with its output captured.
Finished run_to_end(const std::vector<std::string>& argv, const SpawnOptions& options,
                    std::chrono::milliseconds limit);

}  // namespace fical::testing
