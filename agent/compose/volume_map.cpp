#include "agent/compose/volume_map.hpp"

#include "agent/compose/yaml_text.hpp"
#include "proto/service_spec.hpp"

namespace fical::agent::compose {
namespace {

// The Docker name of a named volume: its `name:`, itself when external, else PROJECT_KEY.
std::string volume_name(const YAML::Node& root, const std::string& project, const std::string& key,
                        std::string& comment) {
  auto top = root["volumes"] ? root["volumes"][key] : YAML::Node();
  if (top && top.IsMap()) {
    if (auto name = scalar(top["name"]); !name.empty()) return name;
    if (top["external"] && scalar(top["external"]) == "true") return key;
  }
  comment =
      "volume " + key + " is " + project + "_" + key + " in compose (project " + project + ")";
  return project + "_" + key;
}

}  // namespace

std::optional<OutLine> volumes_line(const YAML::Node& volumes, const std::string& path,
                                    const YAML::Node& root, const std::string& project,
                                    const std::string& directory, Report& report,
                                    std::vector<std::string>& errors) {
  std::vector<std::string> mounts;
  std::vector<std::string> comments;
  std::size_t i = 0;
  for (const auto& item : volumes) {
    auto where = join_path(path, "volumes[" + std::to_string(i++) + "]");
    std::string source, target, type;
    bool read_only = false;
    if (item.IsMap()) {
      type = scalar(item["type"]);
      source = scalar(item["source"]);
      target = scalar(item["target"]);
      read_only = scalar(item["read_only"]) == "true";
      for (const auto& entry : item) {
        auto key = entry.first.Scalar();
        if (key != "type" && key != "source" && key != "target" && key != "read_only") {
          report.unmapped(where + "." + key, "fical mounts source:target[:ro] only");
        }
      }
      if (type != "volume" && type != "bind") {
        report.unmapped(where,
                        "a " + type + " mount: fical mounts named volumes and bind mounts only");
        continue;
      }
    } else {
      auto text = scalar(item);
      std::vector<std::string> parts;
      std::size_t start = 0;
      for (std::size_t colon; (colon = text.find(':', start)) != std::string::npos;
           start = colon + 1) {
        parts.push_back(text.substr(start, colon - start));
      }
      parts.push_back(text.substr(start));
      if (parts.size() == 1) {
        report.unmapped(where, "an anonymous volume: name it (NAME:" + text +
                                   ") to keep its data across releases");
        continue;
      }
      source = parts[0];
      target = parts[1];
      if (parts.size() == 3) {
        if (parts[2] == "ro")
          read_only = true;
        else if (parts[2] != "rw")
          report.unmapped(where, "mode \"" + parts[2] + "\": fical mounts rw or ro only");
      } else if (parts.size() > 3) {
        errors.push_back(where + ": \"" + text + "\" is not SOURCE:TARGET[:MODE]");
        continue;
      }
      type = (source.front() == '/' || source.front() == '.' || source.front() == '~') ? "bind"
                                                                                       : "volume";
    }
    if (source.empty()) {
      report.unmapped(where, "an anonymous volume: name it to keep its data across releases");
      continue;
    }
    if (source.front() == '~') {
      report.unmapped(where,
                      "a path under ~: write it absolute (the agent runs as root, not as you)");
      continue;
    }
    std::string comment;
    if (type == "bind") {
      source = absolute_in(directory, source);
    } else {
      source = volume_name(root, project, source, comment);
    }
    auto text = source + ":" + target + (read_only ? ":ro" : "");
    proto::VolumeMount check;
    if (auto bad = proto::parse_volume(text, check)) {
      report.unmapped(where, *bad);
      continue;
    }
    mounts.push_back(text);
    if (!comment.empty()) comments.push_back(comment);
  }
  if (mounts.empty()) return std::nullopt;
  std::string comment;
  for (const auto& c : comments) comment += (comment.empty() ? "" : "; ") + c;
  return OutLine{"volumes", yaml_flow_list(mounts), comment, {}};
}

}  // namespace fical::agent::compose
