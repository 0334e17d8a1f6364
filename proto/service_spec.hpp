#pragma once
// How one service's container runs beyond its image: command, env, volumes, limits and the
// like. agent.yaml gives it; a release records it, so a rollback recreates a container with
// the spec it ran with, not today's. Pure data with JSON.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fical::proto {

/// A named volume ("data") or a bind mount (an absolute host path) at `target`.
struct VolumeMount {
  std::string source;
  std::string target;
  bool read_only = false;

  bool is_bind() const { return !source.empty() && source.front() == '/'; }
  /// Docker's Binds form: "source:target" or "source:target:ro".
  std::string bind_text() const { return source + ":" + target + (read_only ? ":ro" : ""); }
};

/// json-file log rotation: Docker's max-size ("10m") and max-file.
struct LogRotation {
  std::string max_size;
  int max_file = 0;
};

/// Everything fical passes to Docker for one service's container, besides image and env_file.
struct ServiceSpec {
  std::vector<std::string> command;          // overrides the image's CMD
  std::map<std::string, std::string> env;    // non-secret environment from agent.yaml
  std::map<std::string, std::string> labels;
  std::vector<VolumeMount> volumes;
  std::int64_t memory_bytes = 0;             // 0: no limit
  std::int64_t nano_cpus = 0;                // 1e9 per CPU; 0: no limit
  std::string user;                          // "name", "uid" or "uid:gid"; empty: the image's
  std::vector<std::string> networks;         // joined beside the environment's network
  std::optional<LogRotation> log;
  std::string stop_signal;                   // empty: the image's (SIGTERM)
  bool init = false;                         // Docker's tini as PID 1

  bool operator==(const ServiceSpec&) const = default;
};

/// Parses "VOLUME:/path[:ro|:rw]"; an error message when it is not one.
std::optional<std::string> parse_volume(const std::string& text, VolumeMount& out);
/// "512m", "1g", "1048576" (bytes; k, m, g in binary units); nullopt when malformed.
std::optional<std::int64_t> parse_byte_size(const std::string& text);

nlohmann::json to_json(const ServiceSpec& spec);
/// Missing fields take their defaults (records written before a field existed).
ServiceSpec service_spec_from_json(const nlohmann::json& json);

}  // namespace fical::proto
