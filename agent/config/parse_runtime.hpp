#pragma once
// The keys of a service that say how its container runs: command, env, labels, volumes,
// memory, cpus, user, networks, log, stop_signal, init. Pure.
#include <string>

#include "agent/config/yaml_reader.hpp"
#include "proto/service_spec.hpp"

namespace fical::agent::config {

/// Reads the runtime keys of one service map into `spec`; problems go to the reader.
void parse_runtime(const YAML::Node& node, YamlReader& r, const std::string& path, bool host_network,
                   proto::ServiceSpec& spec);

}  // namespace fical::agent::config
