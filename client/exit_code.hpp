#pragma once
// fical-client's exit codes and how deployment states and API answers map to them.
#include "proto/deployment.hpp"
#include "proto/errors.hpp"

namespace fical::client {

/// Exit codes, as documented in `fical-client --help` and the README.
enum class ExitCode : int {
  live = 0,         // the release is live (or the command did what it was asked)
  failed = 1,       // the deployment failed, was rolled back, cancelled or interrupted
  usage = 2,        // bad command line, bad value, unsafe token file
  unreachable = 3,  // agent unreachable, or it refused the request (401/403/4xx/5xx)
  timed_out = 4,    // gave up waiting; the deployment goes on in the agent
};

/// The exit code for a deployment in `state` when the client stops watching it: a state
/// that is not terminal means the client gave up before the end (timed_out).
ExitCode exit_code_for(proto::DeploymentState state);

/// Every refusal by the agent (any non-2xx answer) is exit 3.
ExitCode exit_code_for(const proto::ApiError& error);

int as_int(ExitCode code);

}  // namespace fical::client
