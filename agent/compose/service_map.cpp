#include "agent/compose/service_map.hpp"

#include <algorithm>
#include <set>

#include "agent/compose/compose_values.hpp"
#include "agent/compose/health_map.hpp"
#include "agent/compose/volume_map.hpp"
#include "agent/compose/yaml_text.hpp"
#include "proto/durations.hpp"
#include "proto/service_spec.hpp"

namespace fical::agent::compose {
namespace {

// Service keys of the Compose Specification that fical has no key for.
const std::set<std::string> kNoFicalKey{"annotations",
                                        "attach",
                                        "blkio_config",
                                        "cap_add",
                                        "cap_drop",
                                        "cgroup",
                                        "cgroup_parent",
                                        "configs",
                                        "cpu_count",
                                        "cpu_percent",
                                        "cpu_period",
                                        "cpu_quota",
                                        "cpu_rt_period",
                                        "cpu_rt_runtime",
                                        "cpu_shares",
                                        "cpuset",
                                        "credential_spec",
                                        "develop",
                                        "device_cgroup_rules",
                                        "devices",
                                        "dns",
                                        "dns_opt",
                                        "dns_search",
                                        "domainname",
                                        "entrypoint",
                                        "external_links",
                                        "extends",
                                        "extra_hosts",
                                        "gpus",
                                        "group_add",
                                        "hostname",
                                        "ipc",
                                        "isolation",
                                        "links",
                                        "mac_address",
                                        "mem_reservation",
                                        "mem_swappiness",
                                        "memswap_limit",
                                        "oom_kill_disable",
                                        "oom_score_adj",
                                        "pid",
                                        "pids_limit",
                                        "platform",
                                        "post_start",
                                        "pre_stop",
                                        "privileged",
                                        "profiles",
                                        "pull_policy",
                                        "read_only",
                                        "runtime",
                                        "scale",
                                        "secrets",
                                        "security_opt",
                                        "shm_size",
                                        "stdin_open",
                                        "storage_opt",
                                        "sysctls",
                                        "tmpfs",
                                        "tty",
                                        "ulimits",
                                        "userns_mode",
                                        "uts",
                                        "volumes_from",
                                        "working_dir"};

const std::set<std::string> kAccessories{
    "postgres", "postgresql",        "postgis",    "mysql",   "mariadb",
    "mongo",    "mongodb",           "redis",      "valkey",  "memcached",
    "rabbitmq", "elasticsearch",     "opensearch", "minio",   "certbot",
    "nginx",    "traefik",           "caddy",      "haproxy", "zookeeper",
    "kafka",    "clickhouse-server", "influxdb",   "etcd",    "consul",
    "vault",    "mailhog",           "mailpit"};

/// The pieces of one service's mapping, in the order they are written.
class ServiceMapper {
 public:
  ServiceMapper(const std::string& name, const std::string& fical_name, const YAML::Node& service,
                const ServiceContext& context, Report& report, std::vector<std::string>& errors)
      : node_(service), ctx_(context), report_(report), errors_(errors), path_("services." + name) {
    out_.name = fical_name;
  }

  MappedService run() {
    if (!node_.IsMap()) {
      errors_.push_back(path_ + ": must be a map of service keys");
      return out_;
    }
    if (!shapes_ok()) return out_;
    for (const auto& entry : node_) {
      auto key = entry.first.Scalar();
      if (key.rfind("x-", 0) == 0 || kHandled.count(key)) continue;
      if (kNoFicalKey.count(key))
        report_.unmapped(join_path(path_, key), "fical has no key for it");
      else
        report_.unmapped(join_path(path_, key), "not a Compose Specification service key; ignored");
    }
    map_image();
    map_ports_and_health();
    map_command();
    map_environment();
    map_env_file();
    map_labels();
    if (auto volumes = node_["volumes"]) {
      auto line =
          volumes_line(volumes, path_, ctx_.root, ctx_.project, ctx_.directory, report_, errors_);
      if (line) out_.lines.push_back(*line);
    }
    map_limits();
    if (auto user = scalar(node_["user"]); !user.empty()) add("user", yaml_scalar(user));
    map_networks();
    map_logging();
    if (auto signal = scalar(node_["stop_signal"]); !signal.empty())
      add("stop_signal", yaml_scalar(signal));
    if (node_["init"] && scalar(node_["init"]) == "true") add("init", "true");
    map_stop_grace_period();
    map_restart();
    map_depends_on();
    if (node_["container_name"]) {
      report_.unmapped(join_path(path_, "container_name"),
                       "fical names containers itself ({app}-{env}-{service}-{color}); nginx "
                       "reaches them through "
                       "fical's upstream file");
    }
    return out_;
  }

 private:
  inline static const std::set<std::string> kHandled{
      "image",        "build",       "ports",         "expose", "healthcheck",
      "command",      "environment", "env_file",      "labels", "volumes",
      "deploy",       "mem_limit",   "cpus",          "user",   "networks",
      "network_mode", "logging",     "stop_signal",   "init",   "stop_grace_period",
      "restart",      "depends_on",  "container_name"};

  // Each key read below has the shape the Compose Specification gives it.
  bool shapes_ok() {
    enum Shape { scalar_ = 1, list_ = 2, map_ = 4 };
    const std::vector<std::pair<const char*, int>> shapes{{"image", scalar_},
                                                          {"build", scalar_ | map_},
                                                          {"ports", list_},
                                                          {"expose", list_},
                                                          {"healthcheck", map_},
                                                          {"command", scalar_ | list_},
                                                          {"environment", list_ | map_},
                                                          {"env_file", scalar_ | list_},
                                                          {"labels", list_ | map_},
                                                          {"volumes", list_},
                                                          {"deploy", map_},
                                                          {"mem_limit", scalar_},
                                                          {"cpus", scalar_},
                                                          {"user", scalar_},
                                                          {"networks", list_ | map_},
                                                          {"network_mode", scalar_},
                                                          {"logging", map_},
                                                          {"stop_signal", scalar_},
                                                          {"init", scalar_},
                                                          {"stop_grace_period", scalar_},
                                                          {"restart", scalar_},
                                                          {"depends_on", list_ | map_},
                                                          {"container_name", scalar_}};
    bool ok = true;
    for (const auto& [key, allowed] : shapes) {
      auto value = node_[key];
      if (!value || value.IsNull()) continue;
      int shape = value.IsScalar() ? scalar_ : value.IsSequence() ? list_ : map_;
      if (!(shape & allowed)) {
        std::string want = (allowed & scalar_) ? "a value" : "";
        if (allowed & list_) want += std::string(want.empty() ? "" : " or ") + "a list";
        if (allowed & map_) want += std::string(want.empty() ? "" : " or ") + "a map";
        errors_.push_back(join_path(path_, key) + ": must be " + want);
        ok = false;
      }
    }
    return ok;
  }

  void add(std::string key, std::string value, std::string comment = "") {
    out_.lines.push_back({std::move(key), std::move(value), std::move(comment), {}});
  }

  void map_image() {
    auto image = scalar(node_["image"]);
    auto build = node_["build"];
    if (build) {
      map_build(build, image);
    } else if (image.empty()) {
      errors_.push_back(path_ + ": has neither image nor build");
    } else {
      auto [repository, tag] = split_image(image);
      add("image", yaml_scalar(repository),
          tag.empty() ? "" : "compose pinned " + tag + "; each deploy names the tag");
    }
  }

  void map_build(const YAML::Node& build, const std::string& image) {
    auto bpath = join_path(path_, "build");
    std::string context = ".", dockerfile = "Dockerfile", target;
    std::vector<std::pair<std::string, std::optional<std::string>>> args;
    if (build.IsScalar()) {
      context = build.Scalar();
    } else if (build.IsMap()) {
      if (build["context"]) context = scalar(build["context"]);
      if (build["dockerfile"]) dockerfile = scalar(build["dockerfile"]);
      target = scalar(build["target"]);
      args = pairs_of(build["args"]);
      for (const auto& entry : build) {
        auto key = entry.first.Scalar();
        if (key != "context" && key != "dockerfile" && key != "target" && key != "args") {
          report_.unmapped(join_path(bpath, key),
                           "fical's build has context, dockerfile, target and args only");
        }
      }
    } else {
      errors_.push_back(bpath + ": must be a path or a map");
      return;
    }
    if (!ctx_.options.source.empty()) {
      auto inside = relative_inside(context);
      auto file = relative_inside(dockerfile);
      if (!inside || !file) {
        errors_.push_back(bpath + ": \"" + (inside ? dockerfile : context) +
                          "\" leaves the repository: fical builds inside its source checkout");
        return;
      }
      std::vector<std::pair<std::string, std::string>> items{{"context", yaml_scalar(*inside)},
                                                             {"dockerfile", yaml_scalar(*file)}};
      if (!target.empty()) items.emplace_back("target", yaml_scalar(target));
      std::vector<std::pair<std::string, std::string>> arg_items;
      for (const auto& [key, value] : args) {
        if (value)
          arg_items.emplace_back(key, yaml_scalar(*value));
        else
          report_.unmapped(bpath + ".args." + key,
                           "takes its value from the shell at build time; give it a value");
      }
      if (!arg_items.empty()) items.emplace_back("args", flow_map(arg_items));
      add("build", flow_map(items),
          "built on the host from the app's source (relative to the repository root)");
      if (!image.empty())
        report_.note(join_path(path_, "image"),
                     "not used in build mode: fical tags the images it builds");
    } else if (!ctx_.options.image_prefix.empty()) {
      add("image", yaml_scalar(ctx_.options.image_prefix + "/" + ctx_.app + "-" + out_.name),
          "built by CI from " + context + "; push it tagged with the version to deploy");
    } else if (!image.empty()) {
      auto [repository, tag] = split_image(image);
      add("image", yaml_scalar(repository),
          "compose builds it from " + context + "; fical pulls it: push it first");
    } else {
      errors_.push_back(
          bpath +
          ": fical does not build from a directory: give --source REPO (build on the host "
          "from git) or --image-prefix REGISTRY/OWNER (images CI pushes)");
    }
  }

  // The container port: expose, then the first of ports, then a local health check URL.
  void map_ports_and_health() {
    std::optional<std::uint16_t> container_port;
    std::optional<std::uint16_t> published;
    std::string port_from;
    if (auto expose = node_["expose"]) {
      auto items = strings_of(expose);
      if (!items.empty()) {
        if (auto mapping = parse_port_mapping(items[0])) {
          container_port = mapping->container;
          port_from = "expose";
        } else {
          report_.unmapped(join_path(path_, "expose[0]"),
                           "\"" + items[0] + "\" is not a single port");
        }
        for (std::size_t i = 1; i < items.size(); ++i) {
          report_.unmapped(join_path(path_, "expose[" + std::to_string(i) + "]"),
                           "fical routes one port per service");
        }
      }
    }
    if (auto ports = node_["ports"]) {
      std::size_t i = 0;
      for (const auto& item : ports) {
        auto where = join_path(path_, "ports[" + std::to_string(i) + "]");
        std::optional<PortMapping> mapping;
        if (item.IsMap()) {
          if (auto target = parse_port_mapping(scalar(item["target"]))) {
            mapping =
                PortMapping{target->container, std::nullopt,
                            scalar(item["protocol"]).empty() ? "tcp" : scalar(item["protocol"])};
            if (auto p = parse_port_mapping(scalar(item["published"])))
              mapping->published = p->container;
          }
        } else {
          mapping = parse_port_mapping(scalar(item));
        }
        if (!mapping) {
          report_.unmapped(where, "not a single port mapping (ranges are not mapped)");
        } else if (mapping->protocol != "tcp") {
          report_.unmapped(where, "fical routes HTTP over TCP only");
        } else if (i > 0 || (container_port && *container_port != mapping->container)) {
          report_.unmapped(where, "fical routes one port per service");
        } else {
          container_port = mapping->container;
          published = mapping->published;
          if (port_from.empty()) port_from = "ports";
        }
        ++i;
      }
    }
    ComposeHealth health;
    if (auto check = node_["healthcheck"]) {
      health = read_healthcheck(check, join_path(path_, "healthcheck"), report_, errors_);
    }
    if (!container_port && health.url) {
      container_port = health.url->port;
      port_from = "the healthcheck URL";
    }
    bool routed = container_port.has_value();
    if (routed) {
      if (ctx_.host_network) {
        out_.host_port_base = published.value_or(*container_port);
        out_.host_port_comment =
            "host networking: each color its own host port, given to the app as $PORT";
        add("ports", "", "");  // filled in by the environment, which knows the ports taken
        if (published) {
          report_.note(join_path(path_, "ports"),
                       "compose published " + std::to_string(*published) + "->" +
                           std::to_string(*container_port) +
                           "; with host networking fical runs each color on its own host port and "
                           "sets $PORT: the app must listen on $PORT");
        } else {
          report_.note(join_path(path_, port_from == "ports"    ? "ports"
                                        : port_from == "expose" ? "expose"
                                                                : "healthcheck"),
                       "with host networking the app must listen on $PORT (fical gives each color "
                       "its own port)");
        }
      } else {
        add("port", std::to_string(*container_port), "from " + port_from);
        if (published) {
          report_.note(join_path(path_, "ports"),
                       "the host port " + std::to_string(*published) +
                           " is not published: nginx reaches the container on " + ctx_.network);
        }
      }
    }
    if (!routed) {
      report_.note(
          path_,
          "no container port (expose, ports or a healthcheck URL): deployed as a worker with no "
          "upstream; add port (or ports on host networking) if nginx routes to it");
    }
    if (auto line = health_line(health, routed, ctx_.host_network, join_path(path_, "healthcheck"),
                                report_)) {
      out_.lines.push_back(*line);
    }
  }

  void map_command() {
    auto command = node_["command"];
    if (!command || command.IsNull()) return;
    if (command.IsScalar()) {
      auto words = split_words(command.Scalar());
      if (!words) {
        errors_.push_back(join_path(path_, "command") + ": a quote does not close");
        return;
      }
      add("command", yaml_flow_list(*words), "split as compose splits it");
    } else {
      add("command", yaml_flow_list(strings_of(command)));
    }
  }

  void map_environment() {
    auto env = node_["environment"];
    if (!env) return;
    OutLine line{"env", "", "", {}};
    for (const auto& [key, value] : pairs_of(env)) {
      if (!value) {
        report_.unmapped(
            join_path(path_, "environment." + key),
            "takes its value from the shell at `docker compose up`: put it in the env_file");
        continue;
      }
      line.block.emplace_back(yaml_scalar(key), yaml_scalar(*value));
    }
    if (!line.block.empty()) out_.lines.push_back(std::move(line));
  }

  void map_env_file() {
    auto env_file = node_["env_file"];
    if (!env_file) return;
    std::vector<std::string> files;
    if (env_file.IsSequence()) {
      for (const auto& item : env_file)
        files.push_back(item.IsMap() ? scalar(item["path"]) : scalar(item));
    } else {
      files.push_back(scalar(env_file));
    }
    if (files.empty() || files[0].empty()) return;
    out_.env_file = absolute_in(ctx_.directory, files[0]);
    for (std::size_t i = 1; i < files.size(); ++i) {
      report_.unmapped(join_path(path_, "env_file[" + std::to_string(i) + "]"),
                       "fical reads one env_file per environment; merge it into " + files[0]);
    }
  }

  void map_labels() {
    auto labels = node_["labels"];
    if (!labels) return;
    OutLine line{"labels", "", "", {}};
    for (const auto& [key, value] : pairs_of(labels)) {
      if (key.rfind("fical.", 0) == 0) {
        report_.unmapped(join_path(path_, "labels." + key), "fical.* labels are fical's own");
        continue;
      }
      line.block.emplace_back(yaml_scalar(key), yaml_scalar(value.value_or("")));
    }
    if (!line.block.empty()) out_.lines.push_back(std::move(line));
  }

  void map_limits() {
    std::string memory = scalar(node_["mem_limit"]);
    std::string cpus = scalar(node_["cpus"]);
    std::string memory_from = "mem_limit", cpus_from = "cpus";
    if (auto deploy = node_["deploy"]) {
      auto dpath = join_path(path_, "deploy");
      for (const auto& entry : deploy) {
        auto key = entry.first.Scalar();
        if (key != "resources")
          report_.unmapped(dpath + "." + key, "fical runs one container per color on this host");
      }
      if (auto resources = deploy["resources"]) {
        for (const auto& entry : resources) {
          auto key = entry.first.Scalar();
          if (key != "limits")
            report_.unmapped(dpath + ".resources." + key, "fical sets limits only");
        }
        if (auto limits = resources["limits"]) {
          if (limits["memory"])
            memory = scalar(limits["memory"]), memory_from = "deploy.resources.limits.memory";
          if (limits["cpus"])
            cpus = scalar(limits["cpus"]), cpus_from = "deploy.resources.limits.cpus";
          for (const auto& entry : limits) {
            auto key = entry.first.Scalar();
            if (key != "memory" && key != "cpus") {
              report_.unmapped(dpath + ".resources.limits." + key,
                               "fical limits memory and cpus only");
            }
          }
        }
      }
    }
    if (!memory.empty()) {
      auto size = normalize_byte_size(memory);
      if (!size)
        errors_.push_back(join_path(path_, memory_from) + ": \"" + memory +
                          "\" is not a size like 512m");
      else
        add("memory", yaml_scalar(*size));
    }
    if (!cpus.empty()) add("cpus", yaml_scalar(cpus));
  }

  void map_networks() {
    auto mode = scalar(node_["network_mode"]);
    if (!mode.empty() && mode != "host") {
      report_.unmapped(join_path(path_, "network_mode"),
                       "\"" + mode + "\": fical runs on host networking or a Docker network");
    }
    auto networks = node_["networks"];
    if (!networks) return;
    std::vector<std::string> extra;
    for (const auto& key : service_network_keys(node_)) {
      auto name = network_docker_name(ctx_.root, ctx_.project, key);
      if (ctx_.host_network) {
        report_.unmapped(join_path(path_, "networks." + key),
                         "the environment runs on host networking: no other network");
      } else if (name != ctx_.network) {
        extra.push_back(name);
      }
    }
    if (networks.IsMap()) {
      for (const auto& entry : networks) {
        if (entry.second.IsMap() && entry.second.size() > 0) {
          report_.unmapped(
              join_path(path_, "networks." + entry.first.Scalar()),
              "aliases, addresses and priorities are not mapped: fical names containers itself");
        }
      }
    }
    if (!extra.empty())
      add("networks", yaml_flow_list(extra), "joined beside the environment's network");
  }

  void map_logging() {
    auto logging = node_["logging"];
    if (!logging) return;
    auto lpath = join_path(path_, "logging");
    auto driver = scalar(logging["driver"]);
    if (!driver.empty() && driver != "json-file") {
      report_.unmapped(lpath + ".driver",
                       "\"" + driver + "\": fical uses Docker's json-file driver");
      return;
    }
    std::vector<std::pair<std::string, std::string>> items;
    if (auto options = logging["options"]) {
      for (const auto& entry : options) {
        auto key = entry.first.Scalar();
        auto value = scalar(entry.second);
        if (key == "max-size") {
          auto size = normalize_byte_size(value);
          if (size)
            items.emplace_back("max_size", yaml_scalar(*size));
          else
            errors_.push_back(lpath + ".options.max-size: \"" + value +
                              "\" is not a size like 10m");
        } else if (key == "max-file") {
          items.emplace_back("max_file", yaml_scalar(value));
        } else {
          report_.unmapped(lpath + ".options." + key, "fical sets max-size and max-file only");
        }
      }
    }
    if (!items.empty()) add("log", flow_map(items));
  }

  void map_stop_grace_period() {
    auto text = scalar(node_["stop_grace_period"]);
    if (text.empty()) return;
    auto parsed = parse_compose_duration(text);
    if (!parsed)
      errors_.push_back(join_path(path_, "stop_grace_period") + ": \"" + text +
                        "\" is not a duration");
    else
      out_.stop_grace_period = parsed;
  }

  void map_restart() {
    auto restart = scalar(node_["restart"]);
    if (restart.empty() || restart == "unless-stopped") return;
    report_.unmapped(join_path(path_, "restart"),
                     "\"" + restart + "\": fical always runs containers with unless-stopped");
  }

  void map_depends_on() {
    auto depends = node_["depends_on"];
    if (!depends) return;
    if (depends.IsSequence()) {
      out_.depends_on = strings_of(depends);
    } else if (depends.IsMap()) {
      for (const auto& entry : depends) out_.depends_on.push_back(entry.first.Scalar());
    }
    std::string names;
    for (const auto& d : out_.depends_on) names += (names.empty() ? "" : ", ") + d;
    report_.note(join_path(path_, "depends_on"),
                 "listed after " + names +
                     "; fical has no start order: a deploy starts the new color of every "
                     "service and switches traffic only when all are healthy");
  }

  const YAML::Node& node_;
  const ServiceContext& ctx_;
  Report& report_;
  std::vector<std::string>& errors_;
  std::string path_;
  MappedService out_;
};

}  // namespace

std::optional<std::string> accessory_kind(const YAML::Node& service) {
  if (!service.IsMap()) return std::nullopt;
  auto says = service["x-fical"] && service["x-fical"].IsMap()
                  ? scalar(service["x-fical"]["accessory"])
                  : "";
  if (says == "true") return std::string("x-fical.accessory");
  if (says == "false" || service["build"]) return std::nullopt;
  auto image = split_image(scalar(service["image"])).first;
  auto last = image.substr(image.rfind('/') + 1);
  if (kAccessories.count(last)) return last;
  return std::nullopt;
}

std::vector<std::string> service_network_keys(const YAML::Node& service) {
  std::vector<std::string> keys;
  auto networks = service["networks"];
  if (!networks) return keys;
  if (networks.IsSequence()) {
    for (const auto& item : networks) keys.push_back(scalar(item));
  } else if (networks.IsMap()) {
    for (const auto& entry : networks) keys.push_back(entry.first.Scalar());
  }
  keys.erase(std::remove(keys.begin(), keys.end(), "default"), keys.end());
  return keys;
}

std::string network_docker_name(const YAML::Node& root, const std::string& project,
                                const std::string& key) {
  auto top = root["networks"] ? root["networks"][key] : YAML::Node();
  if (top && top.IsMap()) {
    if (auto name = scalar(top["name"]); !name.empty()) return name;
    if (top["external"] && scalar(top["external"]) == "true") return key;
  }
  return project + "_" + key;
}

MappedService map_service(const std::string& name, const std::string& fical_name,
                          const YAML::Node& service, const ServiceContext& context, Report& report,
                          std::vector<std::string>& errors) {
  return ServiceMapper(name, fical_name, service, context, report, errors).run();
}

}  // namespace fical::agent::compose
