#include "agent/config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "proto/durations.hpp"

namespace fical::agent::config {

void YamlReader::error(const std::string& path, std::string message) {
  errors_.push_back({path, std::move(message)});
}

std::string YamlReader::join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

bool YamlReader::expect_map(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  error(path, "must be a map of keys to values");
  return false;
}

void YamlReader::reject_unknown_keys(const YAML::Node& map, const std::string& path,
                                     std::initializer_list<std::string_view> allowed) {
  std::set<std::string> seen;
  for (const auto& entry : map) {
    auto key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    // yaml-cpp keeps the first of repeated keys: a second one would be silently ignored.
    if (!seen.insert(key).second) error(join(path, key), "appears twice");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (auto name : allowed) known += (known.empty() ? "" : ", ") + std::string(name);
      error(join(path, key), "unknown key (known here: " + known + ")");
    }
  }
}

std::optional<std::string> YamlReader::scalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    error(path, "must be a single value, not a list or map");
    return std::nullopt;
  }
  return node.Scalar();
}

bool YamlReader::read_string(const YAML::Node& map, const std::string& path, const char* key,
                             std::string& out) {
  auto node = map[key];
  if (!node) return false;
  auto value = scalar(node, join(path, key));
  if (value && value->empty()) error(join(path, key), "must not be empty");
  if (value && !value->empty()) out = *value;
  return true;
}

bool YamlReader::read_bool(const YAML::Node& map, const std::string& path, const char* key,
                           bool& out) {
  auto node = map[key];
  if (!node) return false;
  auto value = scalar(node, join(path, key));
  if (!value) return true;
  if (*value == "true") out = true;
  else if (*value == "false") out = false;
  else error(join(path, key), "must be true or false");
  return true;
}

bool YamlReader::read_int(const YAML::Node& map, const std::string& path, const char* key, long min,
                          long max, long& out) {
  auto node = map[key];
  if (!node) return false;
  auto value = scalar(node, join(path, key));
  if (!value) return true;
  long number = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), number);
  if (ec != std::errc{} || end != value->data() + value->size() || number < min || number > max) {
    error(join(path, key), "must be a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max));
  } else {
    out = number;
  }
  return true;
}

bool YamlReader::read_port(const YAML::Node& map, const std::string& path, const char* key,
                           std::optional<std::uint16_t>& out) {
  long port = 0;
  auto errors_before = errors_.size();
  if (!read_int(map, path, key, 1, 65535, port)) return false;
  if (errors_.size() == errors_before) out = static_cast<std::uint16_t>(port);
  else errors_.back().message = "must be 1-65535";
  return true;
}

bool YamlReader::read_duration(const YAML::Node& map, const std::string& path, const char* key,
                               std::chrono::milliseconds& out) {
  auto node = map[key];
  if (!node) return false;
  auto value = scalar(node, join(path, key));
  if (!value) return true;
  if (auto duration = proto::parse_duration(*value)) {
    out = *duration;
  } else {
    error(join(path, key), "\"" + value->substr(0, 40) +
                               "\" is not a duration (like 500ms, 10s, 5m or 1h; at most 7 days)");
  }
  return true;
}

bool YamlReader::read_string_list(const YAML::Node& map, const std::string& path, const char* key,
                                  std::vector<std::string>& out) {
  auto node = map[key];
  if (!node) return false;
  auto here = join(path, key);
  if (!node.IsSequence()) {
    error(here, "must be a list");
    return true;
  }
  out.clear();
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (auto value = scalar(node[i], here + "[" + std::to_string(i) + "]")) out.push_back(*value);
  }
  return true;
}

bool YamlReader::read_string_map(const YAML::Node& map, const std::string& path, const char* key,
                                 std::map<std::string, std::string>& out) {
  auto node = map[key];
  if (!node) return false;
  auto here = join(path, key);
  if (!expect_map(node, here)) return true;
  for (const auto& entry : node) {
    auto name = entry.first.Scalar();
    if (auto value = scalar(entry.second, join(here, name))) out[name] = *value;
  }
  return true;
}

bool YamlReader::read_path(const YAML::Node& map, const std::string& path, const char* key,
                           std::string& out) {
  std::string value;
  if (!read_string(map, path, key, value)) return false;
  if (value.empty()) return true;
  if (value.front() != '/') {
    error(join(path, key), "must be an absolute path");
  } else {
    out = value;
  }
  return true;
}

}  // namespace fical::agent::config
