#include "agent/compose/import.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "agent/compose/compose_yaml.hpp"
#include "agent/compose/dotenv.hpp"
#include "agent/compose/service_map.hpp"
#include "agent/compose/yaml_text.hpp"
#include "proto/durations.hpp"
#include "proto/names.hpp"

namespace fical::agent::compose {
namespace {

const std::set<std::string> kTopLevelKeys{"version", "name",    "services", "networks",
                                          "volumes", "configs", "secrets"};

std::string scalar(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : "";
}

/// One environment, mapped.
struct MappedEnvironment {
  std::string name;
  std::string network = "host";
  std::string network_comment;
  std::optional<std::string> env_file;
  std::optional<std::chrono::milliseconds> stop_timeout;
  std::vector<MappedService> services;
};

void add_error(std::vector<std::string>& errors, std::string error) {
  if (std::find(errors.begin(), errors.end(), error) == errors.end())
    errors.push_back(std::move(error));
}

// Services in compose order, each after the ones it depends on (cycles keep compose order).
std::vector<MappedService> in_dependency_order(std::vector<MappedService> services) {
  std::vector<MappedService> ordered;
  std::set<std::string> placed, visiting;
  std::function<void(std::size_t)> place = [&](std::size_t i) {
    auto& s = services[i];
    if (placed.count(s.name) || !visiting.insert(s.name).second) return;
    for (const auto& dependency : s.depends_on) {
      for (std::size_t j = 0; j < services.size(); ++j) {
        if (services[j].name == dependency) place(j);
      }
    }
    placed.insert(s.name);
    ordered.push_back(s);
  };
  for (std::size_t i = 0; i < services.size(); ++i) place(i);
  return ordered;
}

// The environment's network: host when a service asks for it or none names one; else the
// first external network a deployed service joins, else the first it joins.
void choose_network(const YAML::Node& root,
                    const std::vector<std::pair<std::string, YAML::Node>>& deployed,
                    const std::string& project, MappedEnvironment& env, Report& report) {
  std::vector<std::string> keys;
  for (const auto& [name, service] : deployed) {
    if (scalar(service["network_mode"]) == "host") {
      env.network_comment = "compose's network_mode: host";
      return;
    }
    for (const auto& key : service_network_keys(service)) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  if (keys.empty()) {
    env.network_comment =
        "compose's default network is not mapped: each color gets its own host port";
    report.note("services",
                "no named network: the environment runs on host networking (each routed service "
                "gets a port per color)");
    return;
  }
  auto is_external = [&](const std::string& key) {
    auto top = root["networks"] ? root["networks"][key] : YAML::Node();
    return top && top.IsMap() && scalar(top["external"]) == "true";
  };
  auto chosen = std::find_if(keys.begin(), keys.end(), is_external);
  auto key = chosen == keys.end() ? keys.front() : *chosen;
  env.network = network_docker_name(root, project, key);
  if (is_external(key)) {
    env.network_comment = "compose's external network " + key;
  } else {
    env.network_comment = "compose's network " + key + ": compose creates it, fical does not";
    report.note("networks." + key, "compose creates " + env.network +
                                       "; fical expects it to exist (docker network create " +
                                       env.network + ")");
  }
  for (const auto& [name, service] : deployed) {
    auto joined = service_network_keys(service);
    if (std::find(joined.begin(), joined.end(), key) == joined.end()) {
      report.note("services." + name + ".networks",
                  "fical puts every service of the environment on " + env.network);
    }
  }
}

// Host networking: every color of every routed service takes a host port no other uses.
void assign_host_ports(MappedEnvironment& env, std::set<std::uint16_t>& taken) {
  auto next_free = [&](std::uint32_t from) {
    while (from <= 65535 && taken.count(static_cast<std::uint16_t>(from))) ++from;
    auto port = static_cast<std::uint16_t>(std::min<std::uint32_t>(from, 65535));
    taken.insert(port);
    return port;
  };
  for (auto& service : env.services) {
    if (!service.host_port_base) continue;
    auto blue = next_free(*service.host_port_base);
    auto green = next_free(blue + 1u);
    for (auto& line : service.lines) {
      if (line.key == "ports" && line.value.empty()) {
        line.value = "{ blue: " + std::to_string(blue) + ", green: " + std::to_string(green) + " }";
        line.comment = service.host_port_comment;
      }
    }
  }
}

std::string with_comment(std::string text, const std::string& comment) {
  return comment.empty() ? text : text + "  # " + comment;
}

void write_environment(const MappedEnvironment& env, std::string& out) {
  out += "      " + env.name + ":\n";
  out += with_comment("        network: " + yaml_scalar(env.network), env.network_comment) + "\n";
  if (env.env_file) {
    out += with_comment("        env_file: " + yaml_scalar(*env.env_file),
                        "secrets: root-only, mode 0600") +
           "\n";
  }
  if (env.stop_timeout) {
    out += with_comment("        stop_timeout: " + proto::format_duration(*env.stop_timeout),
                        "the longest stop_grace_period") +
           "\n";
  }
  out += "        services:\n";
  for (const auto& service : env.services) {
    out += "          " + service.name + ":\n";
    for (const auto& line : service.lines) {
      if (line.block.empty()) {
        out += with_comment("            " + line.key + ": " + line.value, line.comment) + "\n";
      } else {
        out += with_comment("            " + line.key + ":", line.comment) + "\n";
        for (const auto& [key, value] : line.block)
          out += "              " + key + ": " + value + "\n";
      }
    }
  }
}

// Compose allows My_Service; fical names are [a-z0-9-]: lowercase, _ and . become -.
std::string fical_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += (c == '_' || c == '.') ? '-' : c;
  }
  return out;
}

std::string project_name(const ComposeInput& input, const YAML::Node& root) {
  if (auto name = scalar(root["name"]); !name.empty()) return name;
  auto dir = std::filesystem::path(input.directory).filename().string();
  std::string out;
  for (char c : dir) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') out += c;
  }
  return out;
}

}  // namespace

std::string ReportItem::to_string() const {
  const char* label = kind == Kind::unmapped    ? "not mapped"
                      : kind == Kind::accessory ? "accessory"
                                                : "note";
  return std::string(label) + ": " + path + ": " + message;
}

namespace {

ImportResult import_checked(const ComposeInput& input, const ImportOptions& options) {
  ImportResult result;
  auto loaded = load_compose_yaml(input.text);
  if (!loaded.error.empty()) {
    result.errors.push_back(loaded.error);
    return result;
  }
  const auto& raw = loaded.root;
  Report report;
  for (const auto& entry : raw) {
    auto key = entry.first.Scalar();
    if (key.rfind("x-", 0) == 0 || kTopLevelKeys.count(key)) continue;
    add_error(result.errors,
              key +
                  ": unknown top-level key (compose files have version, name, services, networks, "
                  "volumes, configs, secrets and x- extensions)");
  }
  auto services = raw["services"];
  if (!services || !services.IsMap() || services.size() == 0) {
    add_error(result.errors, "services: is required: a map of at least one service");
  }
  DotEnv dotenv;
  if (input.dotenv_text) {
    dotenv = parse_dotenv(*input.dotenv_text);
    if (!dotenv.error.empty()) add_error(result.errors, ".env: " + dotenv.error);
  }
  auto environments = options.environments;
  if (environments.empty()) environments.push_back({"production", {}});
  for (const auto& env : environments) {
    if (auto bad = proto::check_name("--env " + env.name, env.name)) add_error(result.errors, *bad);
  }
  if (!result.errors.empty()) return result;
  if (raw["version"]) report.note("version", "obsolete in the Compose Specification; ignored");
  for (const char* key : {"configs", "secrets"}) {
    if (raw[key])
      report.unmapped(key, "fical has no key for it: put secrets in the environment's env_file");
  }

  std::vector<MappedEnvironment> mapped;
  std::set<std::uint16_t> host_ports_taken;
  std::string app;
  for (const auto& request : environments) {
    VariableLookup lookup = [&](const std::string& name) -> std::optional<std::string> {
      if (auto it = request.variables.find(name); it != request.variables.end()) return it->second;
      if (auto it = input.process_env.find(name); it != input.process_env.end()) return it->second;
      if (auto it = dotenv.variables.find(name); it != dotenv.variables.end()) return it->second;
      return std::nullopt;
    };
    std::vector<PathError> interpolation_errors;
    auto root = interpolate_tree(raw, lookup, "", interpolation_errors);
    for (const auto& e : interpolation_errors) {
      auto where = environments.size() > 1 ? " (environment " + request.name + ")" : std::string();
      add_error(result.errors, e.path + ": " + e.message + where);
    }
    if (!interpolation_errors.empty()) continue;
    auto project = project_name(input, root);
    if (app.empty()) {
      app = options.app.empty() ? fical_name(project) : options.app;
      if (auto bad = proto::check_name("the app name", app)) {
        add_error(
            result.errors,
            *bad + (options.app.empty() ? " (from the compose project; give --app NAME)" : ""));
        return result;
      }
    }
    MappedEnvironment env;
    env.name = request.name;
    std::vector<std::pair<std::string, YAML::Node>> deployed;
    std::map<std::string, std::string> names;  // compose -> fical
    for (const auto& entry : root["services"]) {
      auto name = entry.first.Scalar();
      names[name] = fical_name(name);
      if (auto bad = proto::check_name("services." + name, names[name])) {
        add_error(result.errors, *bad);
        continue;
      }
      if (!entry.second.IsMap()) {
        add_error(result.errors, "services." + name + ": must be a map of service keys");
        continue;
      }
      if (names[name] != name) {
        report.note("services." + name,
                    "named " + names[name] + " in agent.yaml (fical names are a-z, 0-9 and -)");
      }
      if (auto kind = accessory_kind(entry.second)) {
        report.accessory("services." + name,
                         *kind +
                             ": not deployed by fical; keep it running as it is "
                             "(docker compose up -d " +
                             name + ")");
        continue;
      }
      deployed.emplace_back(name, entry.second);
    }
    if (deployed.empty() && result.errors.empty()) {
      add_error(result.errors,
                "services: every service is an accessory: nothing for fical to deploy");
    }
    if (deployed.empty()) continue;
    choose_network(root, deployed, project, env, report);
    ServiceContext context{root,        app,    project, input.directory, env.network == "host",
                           env.network, options};
    for (const auto& [name, service] : deployed) {
      auto service_out = map_service(name, names[name], service, context, report, result.errors);
      if (service_out.env_file) {
        if (!env.env_file) {
          env.env_file = service_out.env_file;
        } else if (*env.env_file != *service_out.env_file) {
          report.unmapped(
              "services." + name + ".env_file",
              "fical reads one env_file per environment (" + *env.env_file + "): merge them");
        }
      }
      if (service_out.stop_grace_period) {
        env.stop_timeout = std::max(env.stop_timeout.value_or(std::chrono::milliseconds(0)),
                                    *service_out.stop_grace_period);
      }
      for (const auto& dependency : service_out.depends_on) {
        auto dep = root["services"][dependency];
        if (dep && accessory_kind(dep)) {
          report.note("services." + name + ".depends_on." + dependency,
                      "an accessory: keep it running before deploys");
        }
      }
      for (auto& dependency : service_out.depends_on) {
        if (names.count(dependency)) dependency = names[dependency];
      }
      env.services.push_back(std::move(service_out));
    }
    if (env.env_file) {
      for (const auto& [name, service] : deployed) {
        if (!service["env_file"]) {
          report.note("services." + name + ".env_file",
                      "fical gives the environment's env_file to every service");
        }
      }
    }
    env.services = in_dependency_order(std::move(env.services));
    assign_host_ports(env, host_ports_taken);
    mapped.push_back(std::move(env));
  }
  if (!result.errors.empty()) return result;

  auto& out = result.yaml;
  out += "# agent.yaml apps section imported from " + input.file_name +
         " by fical-agent import-compose.\n";
  out +=
      "# What could not be mapped is in the report printed with it. fical runs every container\n";
  out += "# with restart policy unless-stopped.\n";
  out += "apps:\n  " + app + ":\n";
  if (!options.source.empty()) out += "    source: { repo: " + yaml_scalar(options.source) + " }\n";
  out += "    environments:\n";
  for (const auto& env : mapped) write_environment(env, out);
  result.report = report.take();
  return result;
}

}  // namespace

ImportResult import_compose(const ComposeInput& input, const ImportOptions& options) {
  try {
    return import_checked(input, options);
  } catch (const YAML::Exception& e) {
    // A key of an unexpected shape (a number where a map belongs) that no check caught.
    ImportResult result;
    result.errors.push_back("a key has a shape compose does not allow: " + e.msg);
    return result;
  }
}

}  // namespace fical::agent::compose
