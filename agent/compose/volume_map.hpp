#pragma once
// A compose service's volumes -> fical's "source:target[:ro]" list: named volumes keep
// compose's PROJECT_NAME (so the data stays), relative binds become absolute; tmpfs,
// anonymous volumes and SELinux modes are reported. Pure.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/compose/compose_nodes.hpp"
#include "agent/compose/report.hpp"

namespace fical::agent::compose {

/// The `volumes:` line of the service at `path` ("services.api"), or nullopt when none maps.
std::optional<OutLine> volumes_line(const YAML::Node& volumes, const std::string& path,
                                    const YAML::Node& root, const std::string& project,
                                    const std::string& directory, Report& report,
                                    std::vector<std::string>& errors);

}  // namespace fical::agent::compose
