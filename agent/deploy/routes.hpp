#pragma once
// Where nginx should send an environment's requests now, as Docker reports its containers.
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/docker/engine.hpp"
#include "agent/router/upstream.hpp"

namespace fical::agent::deploy {

/// The address Docker reports for `container` on `network`, if it is running there and is
/// one fical made for app/env (its labels say so); empty otherwise. Probes and upstreams
/// use only addresses from here.
std::string container_address(docker::DockerEngine& docker, const std::string& container,
                              const std::string& network, const std::string& app, const std::string& env);

/// upstreams_for() with each container's current address: no Docker call with host
/// networking; one inspect per routed service on a Docker network.
std::vector<router::UpstreamTarget> routed_upstreams(docker::DockerEngine& docker, const std::string& app,
                                                     const config::Environment& env, const std::string& color,
                                                     const std::string& version);

}  // namespace fical::agent::deploy
