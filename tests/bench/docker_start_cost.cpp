#include "tests/bench/docker_start_cost.hpp"

#include <algorithm>
#include <vector>

#include "agent/docker/http_docker_engine.hpp"

namespace fical::bench {

std::chrono::milliseconds docker_start_cost(const std::string& docker_socket, const std::string& image,
                                            const std::string& network, int runs) {
  agent::docker::HttpDockerEngine docker({docker_socket, std::chrono::seconds(30)});
  std::vector<std::chrono::milliseconds> took;
  for (int i = 0; i < runs; ++i) {
    agent::docker::ContainerSpec spec;
    spec.name = "fical-bench-start-cost-" + std::to_string(i);
    spec.image = image;
    spec.network = network;
    spec.env = {"PORT=" + std::to_string(39000 + i), "LISTEN=0.0.0.0"};
    // As a deploy's start phase does it: the color's retained (stopped) container of the
    // same name is removed, then the new one is created and started.
    docker.remove_container(spec.name, true);
    auto retained = docker.create_container(spec);
    docker.start_container(retained);
    docker.kill_container(retained, "SIGKILL");
    docker.wait_container(retained, std::chrono::seconds(10));
    auto started = std::chrono::steady_clock::now();
    docker.remove_container(retained, true);
    auto id = docker.create_container(spec);
    docker.start_container(id);
    took.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started));
    docker.remove_container(id, true);
  }
  std::sort(took.begin(), took.end());
  return took[took.size() / 2];
}

}  // namespace fical::bench
