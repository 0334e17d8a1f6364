#include "agent/compose/compose_yaml.hpp"

namespace fical::agent::compose {
namespace {

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Compose rejects tabs in indentation; yaml-cpp's own message for them is obscure.
std::string find_tab_indent(const std::string& text) {
  std::size_t line = 1;
  bool in_indent = true;
  for (char c : text) {
    if (c == '\n') {
      ++line;
      in_indent = true;
    } else if (in_indent && c == '\t') {
      return "line " + std::to_string(line) +
             ": a tab in the indentation (YAML indents with spaces only)";
    } else if (c != ' ') {
      in_indent = false;
    }
  }
  return "";
}

void merge_into(YAML::Node& target, const YAML::Node& source);

// A deep copy with every `<<` key replaced by the keys it brings (explicit keys win).
YAML::Node resolve_merges(const YAML::Node& node) {
  if (node.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& item : node) out.push_back(resolve_merges(item));
    return out;
  }
  if (!node.IsMap()) return YAML::Clone(node);
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& entry : node) {
    if (entry.first.Scalar() != "<<") out[entry.first.Scalar()] = resolve_merges(entry.second);
  }
  if (auto merge = node["<<"]) {
    if (merge.IsSequence()) {
      for (const auto& item : merge) merge_into(out, resolve_merges(item));
    } else {
      merge_into(out, resolve_merges(merge));
    }
  }
  return out;
}

void merge_into(YAML::Node& target, const YAML::Node& source) {
  if (!source.IsMap()) return;
  for (const auto& entry : source) {
    auto key = entry.first.Scalar();
    if (!target[key]) target[key] = entry.second;
  }
}

}  // namespace

LoadedYaml load_compose_yaml(const std::string& text) {
  if (auto tab = find_tab_indent(text); !tab.empty()) return {YAML::Node(), tab};
  try {
    auto root = YAML::Load(text);
    if (!root.IsMap()) return {YAML::Node(), "the top level must be a map (services: ...)"};
    return {resolve_merges(root), ""};
  } catch (const YAML::Exception& e) {
    return {YAML::Node(), "line " + std::to_string(e.mark.line + 1) + ", column " +
                              std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
}

YAML::Node interpolate_tree(const YAML::Node& node, const VariableLookup& lookup,
                            const std::string& path, std::vector<PathError>& errors) {
  if (node.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    std::size_t i = 0;
    for (const auto& item : node) {
      out.push_back(interpolate_tree(item, lookup, path + "[" + std::to_string(i++) + "]", errors));
    }
    return out;
  }
  if (node.IsMap()) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& entry : node) {
      auto key = entry.first.Scalar();
      out[key] = interpolate_tree(entry.second, lookup, child_path(path, key), errors);
    }
    return out;
  }
  if (!node.IsScalar()) return YAML::Clone(node);
  auto result = interpolate(node.Scalar(), lookup);
  if (!result.ok()) {
    errors.push_back({path, result.error});
    return YAML::Node("");
  }
  if (result.text == node.Scalar()) return YAML::Clone(node);
  return YAML::Node(result.text);
}

}  // namespace fical::agent::compose
