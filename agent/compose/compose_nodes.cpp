#include "agent/compose/compose_nodes.hpp"

#include <filesystem>

namespace fical::agent::compose {

namespace fs = std::filesystem;

std::string scalar(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : "";
}

std::string join_path(const std::string& a, const std::string& b) {
  return a + "." + b;
}

std::pair<std::string, std::string> split_image(const std::string& image) {
  if (auto at = image.find('@'); at != std::string::npos)
    return {image.substr(0, at), image.substr(at)};
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return {image.substr(0, colon), image.substr(colon)};
  }
  return {image, ""};
}

std::optional<std::string> relative_inside(const std::string& path) {
  if (path.empty()) return std::string(".");
  if (path.front() == '/' || path.front() == '~') return std::nullopt;
  auto normal = fs::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  if (normal.empty()) normal = ".";
  if (normal == ".." || normal.rfind("../", 0) == 0) return std::nullopt;
  return normal;
}

std::string absolute_in(const std::string& directory, const std::string& path) {
  if (!path.empty() && path.front() == '/') return fs::path(path).lexically_normal().string();
  auto joined = (fs::path(directory) / path).lexically_normal().string();
  if (joined.size() > 1 && joined.back() == '/') joined.pop_back();
  return joined;
}

std::vector<std::string> strings_of(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node.IsScalar()) out.push_back(node.Scalar());
  if (node.IsSequence()) {
    for (const auto& item : node) out.push_back(scalar(item));
  }
  return out;
}

std::vector<std::pair<std::string, std::optional<std::string>>> pairs_of(const YAML::Node& node) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  if (!node) return out;
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (entry.second.IsNull())
        out.emplace_back(entry.first.Scalar(), std::nullopt);
      else
        out.emplace_back(entry.first.Scalar(), scalar(entry.second));
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      auto text = scalar(item);
      auto eq = text.find('=');
      if (eq == std::string::npos)
        out.emplace_back(text, std::nullopt);
      else
        out.emplace_back(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  return out;
}

std::string flow_map(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "{ ";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + items[i].first + ": " + items[i].second;
  return out + " }";
}

}  // namespace fical::agent::compose
