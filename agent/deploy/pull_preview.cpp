#include "agent/deploy/pull_preview.hpp"

#include "agent/deploy/registry_auth.hpp"

namespace fical::agent::deploy {

nlohmann::json pull_preview(docker::DockerEngine& docker, const config::Config& config, const DeployPlan& plan) {
  nlohmann::json pulls = nlohmann::json::array();
  for (const auto& image : images_to_pull(plan)) {
    nlohmann::json entry{{"image", image}};
    try {
      entry["local"] = docker.inspect_image(image).has_value();
      entry["digest"] = docker.distribution(image, registry_auth_for(config, image)).digest;
    } catch (const std::exception& e) {
      entry["error"] = e.what();
    }
    pulls.push_back(std::move(entry));
  }
  return pulls;
}

}  // namespace fical::agent::deploy
