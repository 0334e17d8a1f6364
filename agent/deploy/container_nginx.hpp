#pragma once
// nginx running in a container (the `nginx-platform` setup): tested and reloaded by
// docker exec, never through a shell.
#include <string>

#include "agent/docker/engine.hpp"
#include "agent/router/nginx_control.hpp"

namespace fical::agent::deploy {

/// `nginx -t` and `nginx -s reload` inside the named container.
class ContainerNginx : public router::NginxControl {
 public:
  ContainerNginx(docker::DockerEngine& docker, std::string container, std::vector<std::string> test_command)
      : docker_(docker), container_(std::move(container)), test_command_(std::move(test_command)) {}
  void test() override { run(test_command_, "nginx -t"); }
  void reload() override { run({"nginx", "-s", "reload"}, "nginx reload"); }
  /// Why the container does not run, or nullopt.
  std::optional<std::string> not_running() override;

 private:
  /// Throws RouterError unless `argv` exits 0 in the container.
  void run(const std::vector<std::string>& argv, const std::string& what);
  docker::DockerEngine& docker_;
  std::string container_;
  std::vector<std::string> test_command_;
};

}  // namespace fical::agent::deploy
