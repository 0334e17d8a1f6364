#include "agent/router/process_runner.hpp"

#include "agent/process/run_program.hpp"

namespace fical::agent::router {

ProcessResult SpawnProcessRunner::run(const std::vector<std::string>& argv,
                                      std::chrono::milliseconds timeout) {
  auto ran = process::run_program(argv, timeout);  // stdout and stderr mixed, the last 64 KiB
  return {.exit_code = ran.exit_code, .timed_out = ran.timed_out, .output = std::move(ran.out),
          .error = std::move(ran.error)};
}

}  // namespace fical::agent::router
