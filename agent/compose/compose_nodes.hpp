#pragma once
// Small reads of compose YAML nodes shared by the service mapping, and the YAML line a
// mapped key becomes. Pure.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fical::agent::compose {

/// A key of the fical service: a flow value on its line, or a block map under it.
struct OutLine {
  std::string key;
  std::string value;  // YAML text; empty when `block` holds the value
  std::string comment;
  std::vector<std::pair<std::string, std::string>> block;  // key -> YAML text
};

/// The node's text when it is a scalar, else "".
std::string scalar(const YAML::Node& node);
std::string join_path(const std::string& a, const std::string& b);
/// The repository of "ghcr.io/o/web:1.2" or "web@sha256:..." and the tag or digest cut off.
std::pair<std::string, std::string> split_image(const std::string& image);
/// "./backend" -> "backend", "." -> "."; nullopt when it leaves the directory.
std::optional<std::string> relative_inside(const std::string& path);
/// `path` made absolute against `directory` and normalised.
std::string absolute_in(const std::string& directory, const std::string& path);
/// A list of strings, or one string as a one-item list.
std::vector<std::string> strings_of(const YAML::Node& node);
/// A compose map-or-list ("KEY=VALUE" items) as ordered pairs; a value-less item has nullopt.
std::vector<std::pair<std::string, std::optional<std::string>>> pairs_of(const YAML::Node& node);
/// { a: 1, b: 2 } from already-rendered values.
std::string flow_map(const std::vector<std::pair<std::string, std::string>>& items);

}  // namespace fical::agent::compose
