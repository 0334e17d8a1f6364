#include "agent/deploy/container_nginx.hpp"

namespace fical::agent::deploy {

router::NginxResult ContainerNginx::run(const std::vector<std::string>& argv, const std::string& what) {
  try {
    docker::ExecSpec spec;
    spec.cmd = argv;
    spec.timeout = std::chrono::seconds(30);
    auto result = docker_.exec(container_, spec);
    auto output = docker::joined(result.output);
    if (result.exit_code == 0) return {true, output};
    return {false, what + " in container " + container_ + " exited " + std::to_string(result.exit_code) + ": " +
                       output};
  } catch (const docker::DockerError& e) {
    return {false, what + " in container " + container_ + ": " + e.what()};
  }
}

router::NginxResult ContainerNginx::running() {
  try {
    auto info = docker_.inspect_container(container_);
    if (!info) return {false, "container " + container_ + " does not exist"};
    if (!info->state.running) return {false, "container " + container_ + " is " + info->state.status};
    return {true, ""};
  } catch (const docker::DockerError& e) {
    return {false, "container " + container_ + ": " + e.what()};
  }
}

}  // namespace fical::agent::deploy
