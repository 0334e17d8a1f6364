#include "proto/service_spec.hpp"

#include <cctype>
#include <charconv>

namespace fical::proto {
namespace {

bool is_volume_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool is_clean_absolute(const std::string& path) {
  return !path.empty() && path.front() == '/' && path.find("/../") == std::string::npos &&
         !path.ends_with("/..") && path.find(':') == std::string::npos && path.find(',') == std::string::npos;
}

}  // namespace

std::optional<std::string> parse_volume(const std::string& text, VolumeMount& out) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return "must be SOURCE:/path or SOURCE:/path:ro";
  out.source = parts[0];
  out.target = parts[1];
  out.read_only = false;
  if (parts.size() == 3) {
    if (parts[2] != "ro" && parts[2] != "rw") return "the mode must be ro or rw, not \"" + parts[2] + "\"";
    out.read_only = parts[2] == "ro";
  }
  if (out.source.empty()) return "needs a source: a volume name or an absolute host path";
  if (out.source.front() == '/') {
    if (!is_clean_absolute(out.source)) return "the host path must be absolute, without ..";
  } else if (out.source.front() == '.' || out.source.find('/') != std::string::npos) {
    return "a bind mount needs an absolute host path (\"" + out.source + "\" is relative)";
  } else if (!is_volume_name(out.source)) {
    return "\"" + out.source + "\" is not a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)";
  }
  if (!is_clean_absolute(out.target) || out.target == "/") {
    return "the container path must be absolute, not /, without ..";
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_byte_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || number < 0) return std::nullopt;
  std::string unit(end, text.data() + text.size());
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.ends_with("b") && unit.size() == 2) unit.pop_back();  // "512mb"
  int shift = 0;
  if (unit == "k") shift = 10;
  else if (unit == "m") shift = 20;
  else if (unit == "g") shift = 30;
  else if (!unit.empty() && unit != "b") return std::nullopt;
  if (number > (std::int64_t{1} << (62 - shift))) return std::nullopt;
  return number << shift;
}

nlohmann::json to_json(const ServiceSpec& s) {
  nlohmann::json volumes = nlohmann::json::array();
  for (const auto& v : s.volumes) volumes.push_back(v.bind_text());
  nlohmann::json json{{"command", s.command}, {"env", s.env},         {"labels", s.labels},
                      {"volumes", volumes},   {"memory_bytes", s.memory_bytes},
                      {"nano_cpus", s.nano_cpus}, {"user", s.user},  {"networks", s.networks},
                      {"stop_signal", s.stop_signal}, {"init", s.init}};
  json["log"] = s.log ? nlohmann::json{{"max_size", s.log->max_size}, {"max_file", s.log->max_file}}
                      : nlohmann::json(nullptr);
  return json;
}

ServiceSpec service_spec_from_json(const nlohmann::json& json) {
  ServiceSpec s;
  s.command = json.value("command", std::vector<std::string>{});
  s.env = json.value("env", std::map<std::string, std::string>{});
  s.labels = json.value("labels", std::map<std::string, std::string>{});
  for (const auto& text : json.value("volumes", std::vector<std::string>{})) {
    VolumeMount v;
    if (!parse_volume(text, v)) s.volumes.push_back(v);
  }
  s.memory_bytes = json.value("memory_bytes", std::int64_t{0});
  s.nano_cpus = json.value("nano_cpus", std::int64_t{0});
  s.user = json.value("user", std::string());
  s.networks = json.value("networks", std::vector<std::string>{});
  if (auto it = json.find("log"); it != json.end() && it->is_object()) {
    s.log = LogRotation{it->value("max_size", std::string()), it->value("max_file", 0)};
  }
  s.stop_signal = json.value("stop_signal", std::string());
  s.init = json.value("init", false);
  return s;
}

}  // namespace fical::proto
