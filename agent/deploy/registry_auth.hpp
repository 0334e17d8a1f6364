#pragma once
// The credentials for an image's registry, from agent.yaml's docker.registries and the
// root-only password file each names.
#include <optional>
#include <string>

#include "agent/config/config.hpp"
#include "agent/docker/specs.hpp"

namespace fical::agent::deploy {

/// nullopt when no configured registry serves `image`. Throws std::runtime_error when the
/// password file is missing (the message names the file, never its content).
std::optional<docker::RegistryAuth> registry_auth_for(const config::Config& config, const std::string& image);

}  // namespace fical::agent::deploy
