#include "agent/config/parse_metrics.hpp"

#include <algorithm>
#include <cctype>

namespace fical::agent::config {

bool is_cloudwatch_namespace(const std::string& text) {
  auto allowed = [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '/' || c == '#' || c == ':' || c == ' ';
  };
  return !text.empty() && text.size() <= 255 && std::all_of(text.begin(), text.end(), allowed) &&
         text.find_first_not_of(' ') != std::string::npos && text.rfind("AWS/", 0) != 0;
}

void parse_metrics(const YAML::Node& root, YamlReader& r, MetricsOptions& metrics) {
  auto node = root["metrics"];
  if (!node || !r.expect_map(node, "metrics")) return;
  r.reject_unknown_keys(node, "metrics", {"emf_file", "emf_namespace"});
  bool has_file = r.read_path(node, "metrics", "emf_file", metrics.emf_file);
  std::string name;
  if (!r.read_string(node, "metrics", "emf_namespace", name) || name.empty()) return;
  if (!has_file) {
    r.error("metrics.emf_namespace", "has no effect without metrics.emf_file");
  } else if (!is_cloudwatch_namespace(name)) {
    r.error("metrics.emf_namespace", "\"" + name.substr(0, 80) +
                                         "\" is not a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # : "
                                         "and space; not starting with AWS/)");
  } else {
    metrics.emf_namespace = name;
  }
}

void parse_state(const YAML::Node& root, YamlReader& r, StateOptions& state) {
  auto node = root["state"];
  if (!node || !r.expect_map(node, "state")) return;
  r.reject_unknown_keys(node, "state", {"keep_deployments", "keep_days", "keep_audit_records", "keep_audit_days"});
  r.read_int(node, "state", "keep_deployments", 0, 100000000, state.keep_deployments);
  r.read_int(node, "state", "keep_days", 0, 365000, state.keep_days);
  r.read_int(node, "state", "keep_audit_records", 0, 100000000, state.keep_audit_records);
  r.read_int(node, "state", "keep_audit_days", 0, 365000, state.keep_audit_days);
  if (state.keep_deployments == 0 && state.keep_days == 0) {
    r.error("state", "keep_deployments and keep_days are both 0: deployment records would grow without bound; "
                     "set at least one");
  }
  if (state.keep_audit_records == 0 && state.keep_audit_days == 0) {
    r.error("state", "keep_audit_records and keep_audit_days are both 0: the audit trail would grow without bound; "
                     "set at least one");
  }
}

}  // namespace fical::agent::config
