#include "tests/bench/run_command.hpp"

namespace fical::bench {

CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env,
                          std::chrono::milliseconds limit) {
  return testing::run_to_end(argv, {.extra_env = extra_env}, limit);
}

}  // namespace fical::bench
