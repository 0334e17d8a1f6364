#include "agent/secrets/aws_cli.hpp"

#include "agent/process/run_program.hpp"

namespace fical::agent::secrets {

CliResult SpawnAwsCli::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  auto ran = process::run_program(argv, timeout,
                                  {.separate_stderr = true,
                                   .max_out = 16 * 1024 * 1024,  // the JSON answer, whole or not at all
                                   .fail_when_out_full = true,
                                   .max_err = 8 * 1024,
                                   .own_process_group = true,  // the deadline kills the CLI's children too
                                   .search_path = false});
  return {.exit_code = ran.exit_code, .timed_out = ran.timed_out, .out = std::move(ran.out),
          .err = std::move(ran.err), .error = std::move(ran.error)};
}

}  // namespace fical::agent::secrets
