#include "tests/support/emf_validator.hpp"

#include <set>

namespace fical::testing {
namespace {

const std::set<std::string> kUnits{
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
    "Count/Second", "None"};

bool only_members(const nlohmann::json& object, const std::set<std::string>& allowed) {
  for (const auto& [key, value] : object.items()) {
    if (!allowed.count(key)) return false;
  }
  return true;
}

bool is_metric_value(const nlohmann::json& value) {
  if (value.is_number()) return true;
  if (!value.is_array() || value.empty() || value.size() > 100) return false;
  for (const auto& v : value) {
    if (!v.is_number()) return false;
  }
  return true;
}

void check_dimensions(const nlohmann::json& root, const nlohmann::json& sets, const std::string& at,
                      std::vector<std::string>& out) {
  if (!sets.is_array()) {
    out.push_back(at + ".Dimensions is not an array");
    return;
  }
  for (const auto& set : sets) {
    if (!set.is_array() || set.size() > 30) {
      out.push_back(at + ".Dimensions holds something other than an array of at most 30 keys");
      continue;
    }
    for (const auto& key : set) {
      if (!key.is_string()) {
        out.push_back(at + ".Dimensions holds a key that is not a string");
      } else if (!root.contains(key.get<std::string>()) || !root[key.get<std::string>()].is_string()) {
        out.push_back("dimension " + key.get<std::string>() + " is not a top-level string");
      } else {
        auto size = root[key.get<std::string>()].get<std::string>().size();
        if (size == 0 || size > 1024) out.push_back("dimension " + key.get<std::string>() + " has a bad length");
      }
    }
  }
}

void check_metrics(const nlohmann::json& root, const nlohmann::json& metrics, const std::string& at,
                   std::vector<std::string>& out) {
  if (!metrics.is_array() || metrics.size() > 100) {
    out.push_back(at + ".Metrics is not an array of at most 100");
    return;
  }
  for (const auto& metric : metrics) {
    if (!metric.is_object() || !only_members(metric, {"Name", "Unit", "StorageResolution"})) {
      out.push_back(at + ".Metrics holds something other than {Name, Unit, StorageResolution}");
      continue;
    }
    if (!metric.contains("Name") || !metric["Name"].is_string() || metric["Name"].get<std::string>().empty()) {
      out.push_back(at + ".Metrics holds a metric without a Name");
      continue;
    }
    auto name = metric["Name"].get<std::string>();
    if (metric.contains("Unit") && (!metric["Unit"].is_string() || !kUnits.count(metric["Unit"].get<std::string>()))) {
      out.push_back("metric " + name + " has an unknown Unit");
    }
    if (metric.contains("StorageResolution") && metric["StorageResolution"] != 1 && metric["StorageResolution"] != 60) {
      out.push_back("metric " + name + " has a StorageResolution other than 1 or 60");
    }
    if (!root.contains(name) || !is_metric_value(root[name])) {
      out.push_back("metric " + name + " is not a top-level number");
    }
  }
}

}  // namespace

std::vector<std::string> emf_violations(const nlohmann::json& root) {
  std::vector<std::string> out;
  if (!root.is_object() || !root.contains("_aws") || !root["_aws"].is_object()) {
    return {"no _aws object at the top level"};
  }
  const auto& aws = root["_aws"];
  if (!only_members(aws, {"Timestamp", "CloudWatchMetrics"})) out.push_back("_aws has unknown members");
  if (!aws.contains("Timestamp") || !aws["Timestamp"].is_number_integer() || aws["Timestamp"].get<std::int64_t>() < 0) {
    out.push_back("_aws.Timestamp is not milliseconds since the epoch");
  }
  if (!aws.contains("CloudWatchMetrics") || !aws["CloudWatchMetrics"].is_array() || aws["CloudWatchMetrics"].empty()) {
    out.push_back("_aws.CloudWatchMetrics is not a non-empty array");
    return out;
  }
  for (std::size_t i = 0; i < aws["CloudWatchMetrics"].size(); ++i) {
    const auto& directive = aws["CloudWatchMetrics"][i];
    auto at = "_aws.CloudWatchMetrics[" + std::to_string(i) + "]";
    if (!directive.is_object() || !only_members(directive, {"Namespace", "Dimensions", "Metrics"})) {
      out.push_back(at + " is not an object of Namespace, Dimensions and Metrics");
      continue;
    }
    if (!directive.contains("Namespace") || !directive["Namespace"].is_string() ||
        directive["Namespace"].get<std::string>().empty() || directive["Namespace"].get<std::string>().size() > 255) {
      out.push_back(at + ".Namespace is not a string of 1-255 characters");
    }
    check_dimensions(root, directive.value("Dimensions", nlohmann::json()), at, out);
    check_metrics(root, directive.value("Metrics", nlohmann::json()), at, out);
  }
  return out;
}

std::vector<std::string> emf_metric_names(const nlohmann::json& record) {
  std::vector<std::string> names;
  for (const auto& directive : record.at("_aws").at("CloudWatchMetrics")) {
    for (const auto& metric : directive.at("Metrics")) names.push_back(metric.at("Name").get<std::string>());
  }
  return names;
}

}  // namespace fical::testing
