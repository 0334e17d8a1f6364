#include "agent/deploy/container_nginx.hpp"

namespace fical::agent::deploy {

void ContainerNginx::run(const std::vector<std::string>& argv, const std::string& what) {
  docker::ExecResult result;
  try {
    docker::ExecSpec spec;
    spec.cmd = argv;
    spec.timeout = std::chrono::seconds(30);
    result = docker_.exec(container_, spec);
  } catch (const docker::DockerError& e) {
    throw router::RouterError(what + " in container " + container_ + ": " + e.what());
  }
  if (result.exit_code == 0) return;
  throw router::RouterError(what + " in container " + container_ + " exited " + std::to_string(result.exit_code) +
                            ": " + docker::joined(result.output));
}

std::optional<std::string> ContainerNginx::not_running() {
  try {
    auto info = docker_.inspect_container(container_);
    if (!info) return "container " + container_ + " does not exist";
    if (!info->state.running) return "container " + container_ + " is " + info->state.status;
    return std::nullopt;
  } catch (const docker::DockerError& e) {
    return "container " + container_ + ": " + e.what();
  }
}

}  // namespace fical::agent::deploy
