#include "agent/deploy/routes.hpp"

#include "agent/deploy/naming.hpp"

namespace fical::agent::deploy {

std::string container_address(docker::DockerEngine& docker, const std::string& container,
                              const std::string& network, const std::string& app, const std::string& env) {
  auto info = docker.inspect_container(container);
  if (!info || !info->state.running) return {};
  if (label_value(info->labels, labels::kApp) != app || label_value(info->labels, labels::kEnv) != env) return {};
  auto it = info->network_ips.find(network);
  return it == info->network_ips.end() ? std::string() : it->second;
}

std::vector<router::UpstreamTarget> routed_upstreams(docker::DockerEngine& docker, const std::string& app,
                                                     const config::Environment& env, const std::string& color,
                                                     const std::string& version) {
  if (env.host_network()) return upstreams_for(app, env, color, version);
  ContainerAddresses addresses;
  for (const auto& service : env.services) {
    if (!service.port) continue;
    auto name = container_name(app, env.name, service.name, color);
    if (auto address = container_address(docker, name, env.network, app, env.name); !address.empty()) {
      addresses[name] = address;
    }
  }
  return upstreams_for(app, env, color, version, &addresses);
}

}  // namespace fical::agent::deploy
