#pragma once
// The canary keys of agent.yaml: per environment `strategy`, `steps`, `analysis`, and
// `nginx.access_log`; and the `--steps 10:5m,50:5m` grammar of fical-client deploy.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/yaml_reader.hpp"

namespace fical::agent::config {

/// Reads every environment's canary keys and nginx.access_log into `config` (whose apps
/// and nginx are already parsed); problems go to the reader's error list with key paths.
void parse_canary(const YAML::Node& root, YamlReader& reader, Config& config);

/// Why `steps` is not a valid canary (at most 10 steps, weights 1-99 strictly growing,
/// durations 2s-24h), or std::nullopt.
std::optional<std::string> check_canary_steps(const std::vector<CanaryStep>& steps);

/// Parses "10:5m,50:5m" (weight:duration, comma-separated, no spaces) and checks it as
/// check_canary_steps does; std::nullopt with `why` set when it is not valid.
std::optional<std::vector<CanaryStep>> parse_steps_flag(std::string_view text, std::string& why);

}  // namespace fical::agent::config
