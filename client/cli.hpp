#pragma once
// fical-client's command line and its exit codes.
#include <iosfwd>
#include <string>
#include <vector>

namespace fical::client {

/// Exit codes, as documented in `fical-client --help` and the README.
enum class ExitCode : int {
  live = 0,         // the release is live
  failed = 1,       // the deployment failed or was rolled back
  usage = 2,        // bad command line
  unreachable = 3,  // agent unreachable, or it refused the token
  timed_out = 4,    // gave up waiting; the deployment goes on in the agent
};

/// Runs the client with argv (argv[0] included), writing to out and err.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fical::client
