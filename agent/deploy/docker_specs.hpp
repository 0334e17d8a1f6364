#pragma once
// From the plan to what Docker is asked: container and one-off run specs, the
// environment list, the registry an image comes from. Pure.
#include <string>
#include <utility>
#include <vector>

#include "agent/deploy/plan.hpp"
#include "agent/docker/specs.hpp"

namespace fical::agent::deploy {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

/// "KEY=value" for Docker: the env file first, then the config's env (and PORT), which win.
std::vector<std::string> environment(const EnvVars& env_file, const std::map<std::string, std::string>& env);

/// A long-running service container: restart unless-stopped, fical's labels.
docker::ContainerSpec container_spec(const ContainerPlan& plan, const EnvVars& env_file);

/// The migration's one-off container.
docker::RunSpec migration_spec(const MigrationPlan& plan, const EnvVars& env_file);

/// The registry host of an image reference, as Docker decides it: the first path
/// component when it has a '.' or ':' or is "localhost"; otherwise Docker Hub.
std::string registry_of(const std::string& image);

/// Splits "repo:tag" (a ':' after the last '/') into repository and tag, and
/// "repo@sha256:..." into repository and digest.
std::pair<std::string, std::string> split_reference(const std::string& image);

}  // namespace fical::agent::deploy
