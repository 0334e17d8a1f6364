#include "agent/config/parse_env_sources.hpp"

#include <algorithm>
#include <regex>

namespace fical::agent::config {
namespace {

bool matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern, std::regex::ECMAScript));
}

// Reads region and endpoint_url, shared by both sources; reports what is wrong.
void read_location(const YAML::Node& node, YamlReader& r, const std::string& path, std::string& region,
                   std::string& endpoint_url) {
  if (!r.read_string(node, path, "region", region)) {
    r.error(path + ".region", "is required (e.g. eu-north-1)");
  } else if (auto bad = check_region(region)) {
    r.error(path + ".region", *bad);
  }
  if (r.read_string(node, path, "endpoint_url", endpoint_url)) {
    if (auto bad = check_endpoint_url(endpoint_url)) r.error(path + ".endpoint_url", *bad);
  }
}

}  // namespace

std::optional<std::string> check_secret_id(const std::string& id) {
  // A secret name (letters, digits, /_+=.@-) or its ARN (with ':').
  if (id.empty() || id.size() > 2048 || !matches(id, "[A-Za-z0-9/_+=.@][A-Za-z0-9/_+=.@:-]*")) {
    return "must be a secret name or ARN: 1-2048 of A-Z a-z 0-9 / _ + = . @ - : (not starting with -)";
  }
  return std::nullopt;
}

std::optional<std::string> check_parameter_path(const std::string& path) {
  if (path.size() > 2048 || !matches(path, "/([A-Za-z0-9_.-]+/)*")) {
    return "must be a Parameter Store path starting and ending with /, e.g. /filter-ical/staging/ "
           "(parts of A-Z a-z 0-9 _ . -)";
  }
  return std::nullopt;
}

std::optional<std::string> check_region(const std::string& region) {
  if (!matches(region, "[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")) return "must be an AWS region such as eu-north-1";
  return std::nullopt;
}

std::optional<std::string> check_endpoint_url(const std::string& url) {
  if (url.size() > 512 || !matches(url, "https?://[A-Za-z0-9.\\[\\]:-]+(/[A-Za-z0-9._~/-]*)?")) {
    return "must be an http:// or https:// URL (host, optional port and path)";
  }
  return std::nullopt;
}

void parse_env_sources(const YAML::Node& env_node, YamlReader& r, const std::string& path, EnvSources& sources) {
  if (auto node = env_node["aws_secret"]) {
    auto sp = path + ".aws_secret";
    if (r.expect_map(node, sp)) {
      r.reject_unknown_keys(node, sp, {"id", "region", "endpoint_url"});
      AwsSecretSource source;
      if (!r.read_string(node, sp, "id", source.id)) {
        r.error(sp + ".id", "is required (the secret's name or ARN)");
      } else if (auto bad = check_secret_id(source.id)) {
        r.error(sp + ".id", *bad);
      }
      read_location(node, r, sp, source.region, source.endpoint_url);
      sources.aws_secret = std::move(source);
    }
  }
  if (auto node = env_node["ssm_parameters"]) {
    auto sp = path + ".ssm_parameters";
    if (r.expect_map(node, sp)) {
      r.reject_unknown_keys(node, sp, {"path", "region", "endpoint_url"});
      SsmParametersSource source;
      if (!r.read_string(node, sp, "path", source.path)) {
        r.error(sp + ".path", "is required (e.g. /filter-ical/staging/)");
      } else if (auto bad = check_parameter_path(source.path)) {
        r.error(sp + ".path", *bad);
      }
      read_location(node, r, sp, source.region, source.endpoint_url);
      sources.ssm_parameters = std::move(source);
    }
  }
}

void parse_aws_options(const YAML::Node& root, YamlReader& r, AwsOptions& aws) {
  auto node = root["aws"];
  if (!node || !r.expect_map(node, "aws")) return;
  r.reject_unknown_keys(node, "aws", {"cli", "timeout"});
  r.read_path(node, "aws", "cli", aws.cli);
  if (r.read_duration(node, "aws", "timeout", aws.timeout) &&
      (aws.timeout.count() < 1000 || aws.timeout.count() > 300'000)) {
    r.error("aws.timeout", "must be 1s-5m");
  }
}

}  // namespace fical::agent::config
