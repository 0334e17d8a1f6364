#include "agent/config/parse_apps.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "agent/config/parse_env_sources.hpp"
#include "agent/config/parse_runtime.hpp"
#include "proto/names.hpp"

namespace fical::agent::config {
namespace {

// "ghcr.io/owner/web" or "127.0.0.1:5000/web": a repository without tag or digest.
std::optional<std::string> check_image_repository(const std::string& image) {
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (image.find('@') != std::string::npos ||
      (colon != std::string::npos && (slash == std::string::npos || colon > slash))) {
    return "name the repository only (no :tag or @digest): the version deployed is the tag";
  }
  for (char c : image) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == '/' || c == ':';
    if (!ok) return "\"" + image.substr(0, 80) + "\" is not a valid image repository (lowercase)";
  }
  if (image.size() > 255) return "is longer than 255 characters";
  return std::nullopt;
}

// Map keys that are names: checked against the name grammar.
bool check_key_name(YamlReader& r, const std::string& path, const std::string& name) {
  if (auto bad = proto::check_name(path, name)) {
    r.error("", *bad);
    return false;
  }
  return true;
}

void parse_health(const YAML::Node& node, YamlReader& r, const std::string& path, HealthCheck& h) {
  if (!r.expect_map(node, path)) return;
  r.reject_unknown_keys(node, path, {"http", "docker", "exec", "min_healthy", "interval",
                                     "max_interval", "deadline"});
  if (r.read_string(node, path, "http", h.http_path) && !h.http_path.empty() &&
      h.http_path.front() != '/') {
    r.error(path + ".http", "must be a path starting with /");
  }
  r.read_bool(node, path, "docker", h.docker_healthcheck);
  r.read_string_list(node, path, "exec", h.exec);
  r.read_duration(node, path, "min_healthy", h.min_healthy);
  r.read_duration(node, path, "interval", h.first_interval);
  if (!r.read_duration(node, path, "max_interval", h.max_interval)) {
    h.max_interval = std::max(h.max_interval, h.first_interval);  // a slow interval set alone
  }
  r.read_duration(node, path, "deadline", h.deadline);
  if (h.first_interval.count() <= 0 || h.first_interval > h.max_interval) {
    r.error(path + ".interval", "must be above 0 and at most max_interval");
  }
  if (h.deadline.count() <= 0) r.error(path + ".deadline", "must be above 0");
}

void parse_build(const YAML::Node& node, YamlReader& r, const std::string& path, BuildSpec& b) {
  if (!r.expect_map(node, path)) return;
  r.reject_unknown_keys(node, path, {"context", "dockerfile", "target", "args"});
  r.read_string(node, path, "context", b.context);
  r.read_string(node, path, "dockerfile", b.dockerfile);
  r.read_string(node, path, "target", b.target);
  r.read_string_map(node, path, "args", b.args);
  for (const auto* p : {&b.context, &b.dockerfile}) {
    if (p->front() == '/' || *p == ".." || p->rfind("../", 0) == 0 ||
        p->find("/../") != std::string::npos || p->ends_with("/..")) {
      r.error(path, "\"" + *p + "\" must stay inside the repository (relative, no ..)");
    }
  }
}

Service parse_service(const YAML::Node& node, YamlReader& r, const std::string& path,
                      const std::string& name, bool host_network, bool has_source) {
  Service s;
  s.name = name;
  if (!r.expect_map(node, path)) return s;
  r.reject_unknown_keys(node, path, {"image", "build", "port", "ports", "health", "migrate", "command", "env",
                                     "labels", "volumes", "memory", "cpus", "user", "networks", "log",
                                     "stop_signal", "init", "aws_secret", "ssm_parameters"});
  r.read_string(node, path, "image", s.image);
  parse_env_sources(node, r, path, s.sources);
  if (auto build = node["build"]) {
    s.build.emplace();
    parse_build(build, r, path + ".build", *s.build);
    if (!has_source) r.error(path + ".build", "needs the app's source: {repo: ...}");
  }
  if (s.image.empty() && !s.build) r.error(path + ".image", "is required (or build with a source)");
  if (!s.image.empty()) {
    if (auto bad = check_image_repository(s.image)) r.error(path + ".image", *bad);
  }
  r.read_port(node, path, "port", s.port);
  if (auto ports = node["ports"]) {
    if (r.expect_map(ports, path + ".ports")) {
      r.reject_unknown_keys(ports, path + ".ports", {"blue", "green"});
      r.read_port(ports, path + ".ports", "blue", s.blue_port);
      r.read_port(ports, path + ".ports", "green", s.green_port);
      if (!s.blue_port || !s.green_port) r.error(path + ".ports", "needs both blue and green");
      if (s.blue_port && s.blue_port == s.green_port) {
        r.error(path + ".ports", "blue and green must differ");
      }
    }
  }
  if (host_network && s.port && !s.blue_port) {
    r.error(path + ".ports", "with network: host each color needs its own port: ports: {blue: N, green: M}");
  }
  if (!host_network && s.blue_port) {
    r.error(path + ".ports", "only with network: host; on a Docker network set port");
  }
  if (auto health = node["health"]) parse_health(health, r, path + ".health", s.health);
  bool routed = s.port || s.blue_port || node["port"] || node["ports"];
  bool has_check = !s.health.http_path.empty() || s.health.docker_healthcheck ||
                   !s.health.exec.empty() || s.health.min_healthy.count() > 0;
  if (!has_check) {
    if (routed) {
      r.error(path + ".health", "a service with a port needs a health check: {http: /health}, "
                                "{docker: true} or {exec: [...]}");
    } else {
      s.health.min_healthy = std::chrono::seconds(5);  // workers: still running after 5 s
    }
  }
  if (!routed && !s.health.http_path.empty()) {
    r.error(path + ".health.http", "needs the service's port");
  }
  if (auto migrate = node["migrate"]) {
    auto mpath = path + ".migrate";
    if (r.expect_map(migrate, mpath)) {
      r.reject_unknown_keys(migrate, mpath, {"command", "timeout"});
      Migrate m;
      if (!r.read_string_list(migrate, mpath, "command", m.command) || m.command.empty()) {
        r.error(mpath + ".command", "is required: the argv to run, like [alembic, upgrade, head]");
      }
      r.read_duration(migrate, mpath, "timeout", m.timeout);
      s.migrate = std::move(m);
    }
  }
  parse_runtime(node, r, path, host_network, s.spec);
  return s;
}

Environment parse_environment(const YAML::Node& node, YamlReader& r, const std::string& path,
                              const std::string& name, bool has_source) {
  Environment e;
  e.name = name;
  if (!r.expect_map(node, path)) return e;
  r.reject_unknown_keys(node, path, {"network", "env_file", "retain", "drain", "keep_warm",
                                     "stop_timeout", "verify_path", "services", "aws_secret",
                                     "ssm_parameters", "strategy", "steps", "analysis"});
  r.read_string(node, path, "network", e.network);
  std::string env_file;
  if (r.read_path(node, path, "env_file", env_file) && !env_file.empty()) e.env_file = env_file;
  parse_env_sources(node, r, path, e.sources);
  long retain = e.retain;
  r.read_int(node, path, "retain", 1, 100, retain);
  e.retain = static_cast<int>(retain);
  r.read_duration(node, path, "drain", e.drain);
  r.read_duration(node, path, "keep_warm", e.keep_warm);
  r.read_duration(node, path, "stop_timeout", e.stop_timeout);
  if (r.read_string(node, path, "verify_path", e.verify_path) && e.verify_path.front() != '/') {
    r.error(path + ".verify_path", "must start with /");
  }
  auto services = node["services"];
  auto spath = path + ".services";
  if (!services || services.size() == 0) {
    r.error(spath, "needs at least one service");
    return e;
  }
  if (!r.expect_map(services, spath)) return e;
  int migrations = 0;
  for (const auto& entry : services) {
    auto sname = entry.first.Scalar();
    auto sp = spath + "." + sname;
    if (!check_key_name(r, sp, sname)) continue;
    e.services.push_back(parse_service(entry.second, r, sp, sname, e.host_network(), has_source));
    migrations += e.services.back().migrate ? 1 : 0;
  }
  if (migrations > 1) r.error(spath, "at most one service per environment may have migrate");
  return e;
}

// With host networking every color of every service takes a host port: none may repeat.
void check_host_ports(const std::vector<App>& apps, YamlReader& r) {
  std::map<std::uint16_t, std::string> owners;
  for (const auto& app : apps) {
    for (const auto& env : app.environments) {
      for (const auto& s : env.services) {
        for (auto [port, color] : {std::pair{s.blue_port, "blue"}, std::pair{s.green_port, "green"}}) {
          if (!port) continue;
          auto where = "apps." + app.name + ".environments." + env.name + ".services." + s.name +
                       ".ports." + color;
          auto [it, fresh] = owners.emplace(*port, where);
          if (!fresh) r.error(where, "port " + std::to_string(*port) + " is also used by " + it->second);
        }
      }
    }
  }
}

}  // namespace

std::vector<App> parse_apps(const YAML::Node& root, YamlReader& r) {
  std::vector<App> apps;
  auto node = root["apps"];
  if (!node || node.IsNull() || (node.IsMap() && node.size() == 0)) return apps;
  if (!r.expect_map(node, "apps")) return apps;
  for (const auto& entry : node) {
    App app;
    app.name = entry.first.Scalar();
    auto path = "apps." + app.name;
    if (!check_key_name(r, path, app.name) || !r.expect_map(entry.second, path)) continue;
    r.reject_unknown_keys(entry.second, path, {"source", "environments"});
    if (auto source = entry.second["source"]) {
      auto sp = path + ".source";
      if (r.expect_map(source, sp)) {
        r.reject_unknown_keys(source, sp, {"repo", "token_file", "ssh_key_file"});
        Source s;
        if (!r.read_string(source, sp, "repo", s.repo)) r.error(sp + ".repo", "is required");
        std::string file;
        if (r.read_path(source, sp, "token_file", file) && !file.empty()) s.token_file = file;
        file.clear();
        if (r.read_path(source, sp, "ssh_key_file", file) && !file.empty()) s.ssh_key_file = file;
        app.source = std::move(s);
      }
    }
    auto envs = entry.second["environments"];
    auto epath = path + ".environments";
    if (!envs || envs.size() == 0) {
      r.error(epath, "needs at least one environment");
    } else if (r.expect_map(envs, epath)) {
      for (const auto& env : envs) {
        auto ename = env.first.Scalar();
        if (!check_key_name(r, epath + "." + ename, ename)) continue;
        app.environments.push_back(
            parse_environment(env.second, r, epath + "." + ename, ename, app.source.has_value()));
      }
    }
    apps.push_back(std::move(app));
  }
  check_host_ports(apps, r);
  return apps;
}

}  // namespace fical::agent::config
