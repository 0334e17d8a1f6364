#include <catch2/catch.hpp>

#include "client/exit_code.hpp"

using namespace fical::client;
using fical::proto::DeploymentState;

TEST_CASE("deployment states map to exit codes", "[client]") {
  CHECK(exit_code_for(DeploymentState::succeeded) == ExitCode::live);
  CHECK(exit_code_for(DeploymentState::failed) == ExitCode::failed);
  CHECK(exit_code_for(DeploymentState::rolled_back) == ExitCode::failed);
  CHECK(exit_code_for(DeploymentState::cancelled) == ExitCode::failed);
  CHECK(exit_code_for(DeploymentState::interrupted) == ExitCode::failed);
  CHECK(exit_code_for(DeploymentState::running) == ExitCode::timed_out);
  CHECK(exit_code_for(DeploymentState::pending) == ExitCode::timed_out);
}

TEST_CASE("every refusal by the agent is exit 3", "[client]") {
  for (int status : {400, 401, 403, 404, 409, 413, 429, 500, 503}) {
    auto error = fical::proto::api_error_from_body(status, "");
    CHECK(as_int(exit_code_for(error)) == 3);
  }
}
