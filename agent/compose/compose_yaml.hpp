#pragma once
// Reading a compose file's YAML as compose does: no tabs in indentation, YAML anchors,
// merge keys (<<: *base, which yaml-cpp 0.7 keeps as a plain key) and interpolation of
// every value. Pure: text in, trees out.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "agent/compose/interpolate.hpp"

namespace fical::agent::compose {

/// The parsed tree with merge keys applied, or the error (with its line) that stopped it.
struct LoadedYaml {
  YAML::Node root;
  std::string error;
};

LoadedYaml load_compose_yaml(const std::string& text);

/// One interpolation problem at a key path ("services.web.image").
struct PathError {
  std::string path;
  std::string message;
};

/// A deep copy of `node` with every scalar value interpolated (keys are left as written).
YAML::Node interpolate_tree(const YAML::Node& node, const VariableLookup& lookup,
                            const std::string& path, std::vector<PathError>& errors);

}  // namespace fical::agent::compose
