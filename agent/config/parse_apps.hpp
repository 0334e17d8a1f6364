#pragma once
// The `apps:` section of agent.yaml: apps -> environments -> services.
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/yaml_reader.hpp"

namespace fical::agent::config {

/// Reads and validates root["apps"]; problems go to the reader's error list.
std::vector<App> parse_apps(const YAML::Node& root, YamlReader& reader);

}  // namespace fical::agent::config
