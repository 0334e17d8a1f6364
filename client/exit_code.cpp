#include "client/exit_code.hpp"

namespace fical::client {

ExitCode exit_code_for(proto::DeploymentState state) {
  using proto::DeploymentState;
  switch (state) {
    case DeploymentState::succeeded:
      return ExitCode::live;
    case DeploymentState::failed:
    case DeploymentState::rolled_back:
    case DeploymentState::cancelled:
    case DeploymentState::interrupted:
      return ExitCode::failed;
    case DeploymentState::pending:
    case DeploymentState::running:
      return ExitCode::timed_out;
  }
  return ExitCode::failed;
}

ExitCode exit_code_for(const proto::ApiError& /*error*/) { return ExitCode::unreachable; }

int as_int(ExitCode code) { return static_cast<int>(code); }

}  // namespace fical::client
