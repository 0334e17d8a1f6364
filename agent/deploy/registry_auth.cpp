#include "agent/deploy/registry_auth.hpp"

#include <stdexcept>

#include "agent/deploy/docker_specs.hpp"
#include "agent/store/atomic_file.hpp"

namespace fical::agent::deploy {

std::optional<docker::RegistryAuth> registry_auth_for(const config::Config& config, const std::string& image) {
  auto registry = registry_of(image);
  for (const auto& r : config.docker.registries) {
    if (r.server != registry) continue;
    auto text = store::read_file(r.password_file);
    if (!text) throw std::runtime_error("registry password file " + r.password_file + " does not exist");
    auto password = text->substr(0, text->find('\n'));
    return docker::RegistryAuth{r.username, password, r.server};
  }
  return std::nullopt;
}

}  // namespace fical::agent::deploy
