#pragma once
// Typed reads from a YAML tree that record every problem with its key path instead of
// stopping at the first. Used by parse_config; pure (no I/O).
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config.hpp"

namespace fical::agent::config {

/// Walks YAML nodes with their dotted paths, collecting ConfigErrors.
class YamlReader {
 public:
  explicit YamlReader(std::vector<ConfigError>& errors) : errors_(errors) {}

  void error(const std::string& path, std::string message);
  static std::string join(const std::string& path, std::string_view key);

  /// True when `node` is a map; reports an error at `path` otherwise.
  bool expect_map(const YAML::Node& node, const std::string& path);
  /// Reports every key of the map that is not in `allowed`.
  void reject_unknown_keys(const YAML::Node& map, const std::string& path,
                           std::initializer_list<std::string_view> allowed);

  // Each reads map[key] into out when present and valid; returns whether it was present.
  bool read_string(const YAML::Node& map, const std::string& path, const char* key, std::string& out);
  bool read_bool(const YAML::Node& map, const std::string& path, const char* key, bool& out);
  bool read_port(const YAML::Node& map, const std::string& path, const char* key,
                 std::optional<std::uint16_t>& out);
  bool read_int(const YAML::Node& map, const std::string& path, const char* key, long min, long max,
                long& out);
  bool read_duration(const YAML::Node& map, const std::string& path, const char* key,
                     std::chrono::milliseconds& out);
  bool read_string_list(const YAML::Node& map, const std::string& path, const char* key,
                        std::vector<std::string>& out);
  bool read_string_map(const YAML::Node& map, const std::string& path, const char* key,
                       std::map<std::string, std::string>& out);
  /// A path that must be absolute.
  bool read_path(const YAML::Node& map, const std::string& path, const char* key, std::string& out);

 private:
  std::optional<std::string> scalar(const YAML::Node& node, const std::string& path);
  std::vector<ConfigError>& errors_;
};

}  // namespace fical::agent::config
