#include "agent/config/parse_runtime.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "proto/names.hpp"

namespace fical::agent::config {
namespace {

bool is_env_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool is_user(const std::string& user) {
  if (user.empty() || user.size() > 64 || user.front() == ':' || user.back() == ':') return false;
  int colons = 0;
  for (char c : user) {
    if (c == ':') ++colons;
    else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return colons <= 1;
}

bool is_signal(const std::string& s) {
  if (s.size() < 4 || s.size() > 12 || s.rfind("SIG", 0) != 0) return false;
  for (char c : s.substr(3)) {
    if (!std::isupper(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '+' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

// A Docker network name: the name grammar Docker accepts, conservatively.
bool is_network_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

void parse_volumes(const YAML::Node& node, YamlReader& r, const std::string& path, proto::ServiceSpec& spec) {
  std::vector<std::string> texts;
  if (!r.read_string_list(node, path, "volumes", texts)) return;
  std::set<std::string> targets;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto where = path + ".volumes[" + std::to_string(i) + "]";
    proto::VolumeMount v;
    if (auto bad = proto::parse_volume(texts[i], v)) {
      r.error(where, *bad);
    } else if (!targets.insert(v.target).second) {
      r.error(where, "mounts " + v.target + " twice");
    } else {
      spec.volumes.push_back(v);
    }
  }
}

void parse_limits(const YAML::Node& node, YamlReader& r, const std::string& path, proto::ServiceSpec& spec) {
  std::string memory;
  if (r.read_string(node, path, "memory", memory)) {
    auto bytes = proto::parse_byte_size(memory);
    if (!bytes || *bytes < (6 << 20)) {
      r.error(path + ".memory", "must be a size of at least 6m, like 512m or 1g");
    } else {
      spec.memory_bytes = *bytes;
    }
  }
  std::string cpus;
  if (r.read_string(node, path, "cpus", cpus)) {
    double value = 0;
    auto [end, ec] = std::from_chars(cpus.data(), cpus.data() + cpus.size(), value);
    if (ec != std::errc() || end != cpus.data() + cpus.size() || !(value >= 0.01 && value <= 1024)) {
      r.error(path + ".cpus", "must be a number of CPUs from 0.01 to 1024, like 0.5 or 2");
    } else {
      spec.nano_cpus = static_cast<std::int64_t>(std::llround(value * 1e9));
    }
  }
}

void parse_log(const YAML::Node& node, YamlReader& r, const std::string& path, proto::ServiceSpec& spec) {
  auto log = node["log"];
  if (!log) return;
  auto lpath = path + ".log";
  if (!r.expect_map(log, lpath)) return;
  r.reject_unknown_keys(log, lpath, {"max_size", "max_file"});
  proto::LogRotation rotation;
  if (r.read_string(log, lpath, "max_size", rotation.max_size)) {
    auto bytes = proto::parse_byte_size(rotation.max_size);
    if (!bytes || *bytes < 1024) r.error(lpath + ".max_size", "must be a size like 10m (at least 1k)");
  }
  long files = 0;
  if (r.read_int(log, lpath, "max_file", 1, 100, files)) {
    rotation.max_file = static_cast<int>(files);
    if (rotation.max_size.empty()) r.error(lpath + ".max_file", "needs max_size (Docker rotates by size)");
  }
  spec.log = rotation;
}

}  // namespace

void parse_runtime(const YAML::Node& node, YamlReader& r, const std::string& path, bool host_network,
                   proto::ServiceSpec& spec) {
  r.read_string_list(node, path, "command", spec.command);
  r.read_string_map(node, path, "env", spec.env);
  for (const auto& [key, value] : spec.env) {
    if (!is_env_name(key)) r.error(path + ".env." + key, "is not a valid environment variable name");
  }
  r.read_string_map(node, path, "labels", spec.labels);
  for (const auto& [key, value] : spec.labels) {
    if (key.rfind("fical.", 0) == 0) r.error(path + ".labels." + key, "fical.* labels are fical's own");
  }
  parse_volumes(node, r, path, spec);
  parse_limits(node, r, path, spec);
  if (r.read_string(node, path, "user", spec.user) && !is_user(spec.user)) {
    r.error(path + ".user", "must be a user name or uid, optionally with :group or :gid");
  }
  if (r.read_string_list(node, path, "networks", spec.networks)) {
    if (host_network && !spec.networks.empty()) {
      r.error(path + ".networks", "only on a Docker network: with network: host a container joins no other");
    }
    std::set<std::string> seen;
    for (const auto& n : spec.networks) {
      if (!is_network_name(n) || n == "host" || n == "none" || n == "bridge") {
        r.error(path + ".networks", "\"" + n.substr(0, 64) + "\" is not a user-defined network name");
      } else if (!seen.insert(n).second) {
        r.error(path + ".networks", n + " is named twice");
      }
    }
  }
  parse_log(node, r, path, spec);
  if (r.read_string(node, path, "stop_signal", spec.stop_signal) && !is_signal(spec.stop_signal)) {
    r.error(path + ".stop_signal", "must be a signal name like SIGTERM or SIGQUIT");
  }
  r.read_bool(node, path, "init", spec.init);
}

}  // namespace fical::agent::config
