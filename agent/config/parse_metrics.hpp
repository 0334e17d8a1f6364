#pragma once
// The `metrics:` section of agent.yaml (optional CloudWatch embedded-metric-format lines) and
// the `state:` section (retention of deployment records).
#include "agent/config/config.hpp"
#include "agent/config/yaml_reader.hpp"

namespace fical::agent::config {

/// Reads and validates root["metrics"] into `metrics`; problems go to the reader's error list.
void parse_metrics(const YAML::Node& root, YamlReader& reader, MetricsOptions& metrics);

/// Reads and validates root["state"] (retention of deployment records) into `state`.
void parse_state(const YAML::Node& root, YamlReader& reader, StateOptions& state);

/// Whether `text` is a CloudWatch namespace: 1-255 of A-Z a-z 0-9 . - _ / # : and space,
/// not only spaces, and not starting with "AWS/" (reserved for AWS).
bool is_cloudwatch_namespace(const std::string& text);

}  // namespace fical::agent::config
