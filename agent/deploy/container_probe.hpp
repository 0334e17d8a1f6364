#pragma once
// One look at a new container: is it ready to take traffic, not yet, or lost?
#include <chrono>
#include <optional>
#include <string>

#include "agent/config/config.hpp"
#include "agent/deploy/clock.hpp"
#include "agent/deploy/health_gate.hpp"
#include "agent/deploy/host.hpp"
#include "agent/docker/engine.hpp"

namespace fical::agent::deploy {

/// What to probe on one container.
struct ProbeTarget {
  std::string container;
  config::HealthCheck health;
  std::string http_host;  // where its port is reached from the agent
  std::optional<std::uint16_t> port;
  Clock::time_point started{};
};

/// Exited or restarted: fatal. Docker HEALTHCHECK unhealthy: fatal; starting: not yet.
/// Then each configured check (HTTP GET 2xx/3xx, exec exit 0, min_healthy uptime).
/// HTTP checks go through `host`, uptime through `clock`.
ProbeOutcome probe_container(docker::DockerEngine& docker, Host& host, const ProbeTarget& target, Clock& clock);

}  // namespace fical::agent::deploy
