#include "agent/docker/parse.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "agent/docker/docker_error.hpp"

namespace fical::agent::docker::parse {

using nlohmann::json;

namespace {

DockerError malformed(std::string_view call, std::string_view detail) {
  return DockerError(DockerErrorKind::malformed,
                     "docker: unexpected answer to " + std::string(call) + ": " +
                         std::string(detail));
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// A number field clamped into Int (Docker sends what it likes; casts must never overflow).
template <typename Int>
Int number(const json& j, const char* key) {
  using limits = std::numeric_limits<Int>;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return Int{};
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(limits::max()) ? limits::max() : static_cast<Int>(v);
  }
  if (it->is_number_integer()) {
    auto v = it->get<std::int64_t>();
    return std::clamp<std::int64_t>(v, limits::min(), limits::max());
  }
  auto v = it->get<double>();
  if (!std::isfinite(v)) return Int{};
  if (v <= static_cast<double>(limits::min())) return limits::min();
  if (v >= static_cast<double>(limits::max())) return limits::max();
  return static_cast<Int>(v);
}

bool boolean(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

const json& object(const json& j, const char* key) {
  static const json empty = json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map(const json& j, const char* key) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : object(j, key).items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

/// Throws the stream error carried by a progress or build line.
void throw_if_error(const json& line, std::string_view what) {
  std::string message = str(object(line, "errorDetail"), "message");
  if (message.empty()) message = str(line, "error");
  if (message.empty() && (line.contains("errorDetail") || line.contains("error"))) {
    message = "unknown error";
  }
  if (!message.empty()) {
    throw DockerError(DockerErrorKind::stream, "docker: " + std::string(what) + " failed: " + message,
                      0, message);
  }
}

template <typename F>
auto guarded(std::string_view body, std::string_view call, F&& fill) {
  auto j = json_body(body, call);
  try {
    return fill(j);
  } catch (const json::exception& e) {
    throw malformed(call, e.what());
  }
}

}  // namespace

json json_body(std::string_view body, std::string_view call) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) throw malformed(call, "not JSON");
  return j;
}

VersionInfo version(std::string_view body) {
  return guarded(body, "GET /version", [](const json& j) {
    return VersionInfo{str(j, "Version"), str(j, "ApiVersion"), str(j, "MinAPIVersion"), {}};
  });
}

DaemonInfo daemon_info(std::string_view body) {
  return guarded(body, "GET /info", [](const json& j) {
    return DaemonInfo{str(j, "Name"), str(j, "DockerRootDir"), str(j, "Driver")};
  });
}

ImageInfo image_info(std::string_view body) {
  return guarded(body, "GET /images/{name}/json", [](const json& j) {
    return ImageInfo{str(j, "Id"), strings(j, "RepoTags"), strings(j, "RepoDigests"),
                     string_map(object(j, "Config"), "Labels"), number<std::int64_t>(j, "Size")};
  });
}

DistributionInfo distribution_info(std::string_view body) {
  return guarded(body, "GET /distribution/{name}/json", [](const json& j) {
    const auto& descriptor = object(j, "Descriptor");
    return DistributionInfo{str(descriptor, "digest"), str(descriptor, "mediaType")};
  });
}

std::vector<ImageSummary> image_summaries(std::string_view body) {
  return guarded(body, "GET /images/json", [](const json& j) {
    if (!j.is_array()) throw malformed("GET /images/json", "not a list");
    std::vector<ImageSummary> out;
    for (const auto& i : j) {
      out.push_back({str(i, "Id"), strings(i, "RepoTags"), strings(i, "RepoDigests"),
                     string_map(i, "Labels"), number<std::int64_t>(i, "Created")});
    }
    return out;
  });
}

ContainerInfo container_info(std::string_view body) {
  return guarded(body, "GET /containers/{id}/json", [](const json& j) {
    ContainerInfo c;
    c.id = str(j, "Id");
    c.name = str(j, "Name");
    if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
    c.image = str(j, "Image");
    const auto& config = object(j, "Config");
    c.image_ref = str(config, "Image");
    c.labels = string_map(config, "Labels");
    c.env = strings(config, "Env");
    c.tty = boolean(config, "Tty");
    c.restart_count = number<int>(j, "RestartCount");
    c.network_mode = str(object(j, "HostConfig"), "NetworkMode");
    const auto& settings = object(j, "NetworkSettings");
    for (const auto& [name, endpoint] : object(settings, "Networks").items()) {
      c.networks.push_back(name);
      if (!endpoint.is_object()) continue;
      c.network_aliases[name] = strings(endpoint, "Aliases");
      if (auto ip = str(endpoint, "IPAddress"); !ip.empty()) c.network_ips[name] = ip;
    }
    for (const auto& [port, bindings] : object(settings, "Ports").items()) {
      if (!bindings.is_array()) continue;
      for (const auto& b : bindings) {
        auto host_port = str(b, "HostPort");
        int number_value = 0;
        std::from_chars(host_port.data(), host_port.data() + host_port.size(), number_value);
        c.ports.push_back({port, str(b, "HostIp"), number_value});
      }
    }
    const auto& state = object(j, "State");
    auto& s = c.state;
    s.status = str(state, "Status");
    s.running = boolean(state, "Running");
    s.restarting = boolean(state, "Restarting");
    s.oom_killed = boolean(state, "OOMKilled");
    s.exit_code = number<int>(state, "ExitCode");
    s.pid = number<int>(state, "Pid");
    s.error = str(state, "Error");
    s.started_at = str(state, "StartedAt");
    s.finished_at = str(state, "FinishedAt");
    const auto& health = object(state, "Health");
    s.health.status = str(health, "Status");
    s.health.failing_streak = number<int>(health, "FailingStreak");
    auto log = health.find("Log");
    if (log != health.end() && log->is_array() && !log->empty()) {
      s.health.last_output = str(log->back(), "Output");
    }
    return c;
  });
}

std::vector<ContainerSummary> container_summaries(std::string_view body) {
  return guarded(body, "GET /containers/json", [](const json& j) {
    if (!j.is_array()) throw malformed("GET /containers/json", "not a list");
    std::vector<ContainerSummary> out;
    for (const auto& i : j) {
      auto names = strings(i, "Names");
      auto name = names.empty() ? std::string() : names.front();
      if (!name.empty() && name.front() == '/') name.erase(0, 1);
      out.push_back({str(i, "Id"), name, str(i, "Image"), str(i, "State"), str(i, "Status"),
                     string_map(i, "Labels"), number<std::int64_t>(i, "Created")});
    }
    return out;
  });
}

NetworkInfo network_info(std::string_view body) {
  return guarded(body, "GET /networks/{id}", [](const json& j) {
    NetworkInfo n{str(j, "Id"), str(j, "Name"), str(j, "Driver"), {}};
    for (const auto& [id, c] : object(j, "Containers").items()) n.containers[id] = str(c, "Name");
    return n;
  });
}

std::string created_id(std::string_view body, std::string_view call) {
  return guarded(body, call, [call](const json& j) {
    auto id = str(j, "Id");
    if (id.empty()) throw malformed(call, "no Id");
    return id;
  });
}

int wait_status(std::string_view body) {
  return guarded(body, "POST /containers/{id}/wait", [](const json& j) {
    auto message = str(object(j, "Error"), "Message");
    if (!message.empty()) {
      throw DockerError(DockerErrorKind::stream, "docker: wait failed: " + message, 0, message);
    }
    if (!j.contains("StatusCode")) throw malformed("POST /containers/{id}/wait", "no StatusCode");
    return number<int>(j, "StatusCode");
  });
}

std::optional<int> exec_exit_code(std::string_view body) {
  return guarded(body, "GET /exec/{id}/json", [](const json& j) -> std::optional<int> {
    if (boolean(j, "Running")) return std::nullopt;
    auto it = j.find("ExitCode");
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return number<int>(j, "ExitCode");
  });
}

PullProgress pull_progress(const json& line) {
  throw_if_error(line, "pull");
  const auto& detail = object(line, "progressDetail");
  return {str(line, "status"), str(line, "id"), number<std::int64_t>(detail, "current"),
          number<std::int64_t>(detail, "total")};
}

BuildOutput build_output(const json& line) {
  throw_if_error(line, "build");
  return {str(line, "stream"), str(object(line, "aux"), "ID")};
}

Event event(const json& line) {
  const auto& actor = object(line, "Actor");
  auto type = str(line, "Type");
  auto action = str(line, "Action");
  if (action.empty()) action = str(line, "status");  // pre-1.22 field, still sent
  auto id = str(actor, "ID");
  if (id.empty()) id = str(line, "id");
  return {type, action, id, string_map(actor, "Attributes"), number<std::int64_t>(line, "timeNano")};
}

}  // namespace fical::agent::docker::parse
