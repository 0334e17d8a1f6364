#pragma once
// The env sources in AWS of an environment (aws_secret, ssm_parameters) and the top-level
// `aws:` options the agent runs the AWS CLI with. Every value here reaches the CLI's argv,
// so each is checked against a strict grammar (none may start with '-').
#include "agent/config/config.hpp"
#include "agent/config/yaml_reader.hpp"

namespace fical::agent::config {

/// Reads node["aws_secret"] and node["ssm_parameters"] (of an environment or a service).
void parse_env_sources(const YAML::Node& node, YamlReader& reader, const std::string& path,
                       EnvSources& sources);

/// Reads root["aws"]: { cli: /usr/bin/aws, timeout: 20s }.
void parse_aws_options(const YAML::Node& root, YamlReader& reader, AwsOptions& aws);

// The grammars, for tests: each returns the problem or nullopt.
std::optional<std::string> check_secret_id(const std::string& id);
std::optional<std::string> check_parameter_path(const std::string& path);
std::optional<std::string> check_region(const std::string& region);
std::optional<std::string> check_endpoint_url(const std::string& url);

}  // namespace fical::agent::config
