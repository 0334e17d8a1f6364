#pragma once
// One compose service -> one fical service of one environment, as YAML lines with
// comments. Pure; problems go to the Report (not mappable) or to errors (invalid input).
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/compose/compose_nodes.hpp"
#include "agent/compose/import.hpp"
#include "agent/compose/report.hpp"

namespace fical::agent::compose {

/// What every service of an environment shares while it is mapped.
struct ServiceContext {
  const YAML::Node& root;  // the interpolated compose file
  std::string app;
  std::string project;    // compose's project name (named volumes are PROJECT_NAME)
  std::string directory;  // absolute: relative paths resolve against it
  bool host_network = true;
  std::string network;  // the environment's Docker network when not host
  const ImportOptions& options;
};

/// A mapped service. A routed service on host networking leaves `ports` to the caller,
/// which picks free host ports from `host_port_base` (one per color).
struct MappedService {
  std::string name;
  std::vector<OutLine> lines;
  std::optional<std::uint16_t> host_port_base;
  std::string host_port_comment;
  std::optional<std::string> env_file;  // absolute
  std::optional<std::chrono::milliseconds> stop_grace_period;
  std::vector<std::string> depends_on;
};

/// True when the service is infrastructure fical should leave alone (a database, a proxy,
/// certbot): an image of a well-known accessory and no build, unless the service says
/// otherwise with `x-fical: {accessory: true|false}`. Its kind (the image's name) if so.
std::optional<std::string> accessory_kind(const YAML::Node& service);

/// The Docker networks a service joins, by compose key ("default" left out).
std::vector<std::string> service_network_keys(const YAML::Node& service);

/// A compose network's Docker name: its `name:`, itself when external, else PROJECT_KEY.
std::string network_docker_name(const YAML::Node& root, const std::string& project,
                                const std::string& key);

/// `name` is the compose key (report paths), `fical_name` the service's name in agent.yaml.
MappedService map_service(const std::string& name, const std::string& fical_name,
                          const YAML::Node& service, const ServiceContext& context, Report& report,
                          std::vector<std::string>& errors);

}  // namespace fical::agent::compose
