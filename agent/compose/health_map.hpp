#pragma once
// A compose healthcheck -> fical's health: an HTTP check when it only fetches a local URL
// on host networking, else the same test run inside the container; start_period +
// interval x retries becomes the deadline. Pure.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/compose/compose_nodes.hpp"
#include "agent/compose/compose_values.hpp"
#include "agent/compose/report.hpp"

namespace fical::agent::compose {

/// What a service's compose healthcheck asks for.
struct ComposeHealth {
  bool present = false;
  bool disabled = false;
  std::vector<std::string> exec;
  std::optional<LocalUrl> url;
  std::optional<std::chrono::milliseconds> deadline;
  std::string comment;
};

/// Reads `healthcheck:` (at `hpath`); invalid values go to errors.
ComposeHealth read_healthcheck(const YAML::Node& check, const std::string& hpath, Report& report,
                               std::vector<std::string>& errors);

/// The `health:` line for it; a routed service always gets a check (GET / and a note when
/// compose has none). nullopt for a worker without one (fical's min_healthy default).
std::optional<OutLine> health_line(const ComposeHealth& health, bool routed, bool host_network,
                                   const std::string& hpath, Report& report);

}  // namespace fical::agent::compose
