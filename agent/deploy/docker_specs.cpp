#include "agent/deploy/docker_specs.hpp"

namespace fical::agent::deploy {

std::vector<std::string> environment(const EnvVars& env_file, const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (const auto& [key, value] : env_file) {
    if (!env.count(key)) out.push_back(key + "=" + value);
  }
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

docker::ContainerSpec container_spec(const ContainerPlan& plan, const EnvVars& env_file) {
  docker::ContainerSpec spec;
  spec.name = plan.name;
  spec.image = plan.image;
  spec.env = environment(env_file, plan.env);
  spec.labels = plan.labels;
  spec.cmd = plan.command;
  spec.restart_policy = "unless-stopped";
  spec.network = plan.network;
  if (plan.network != "host") spec.network_aliases = {plan.name};
  for (const auto& v : plan.spec.volumes) spec.binds.push_back(v.bind_text());
  spec.memory_bytes = plan.spec.memory_bytes;
  spec.nano_cpus = plan.spec.nano_cpus;
  spec.user = plan.spec.user;
  spec.stop_signal = plan.spec.stop_signal;
  spec.init = plan.spec.init;
  if (plan.spec.log) {
    spec.log_options["max-size"] = plan.spec.log->max_size;
    if (plan.spec.log->max_file > 0) spec.log_options["max-file"] = std::to_string(plan.spec.log->max_file);
  }
  return spec;
}

docker::RunSpec migration_spec(const MigrationPlan& plan, const EnvVars& env_file) {
  docker::RunSpec run;
  run.container.name = plan.name;
  run.container.image = plan.image;
  run.container.env = environment(env_file, plan.env);
  run.container.labels = plan.labels;
  run.container.cmd = plan.command;
  run.container.restart_policy = "no";
  run.container.network = plan.network;
  // The migration sees the service's volumes and runs as its user (it may write to them).
  for (const auto& v : plan.spec.volumes) run.container.binds.push_back(v.bind_text());
  run.container.user = plan.spec.user;
  run.timeout = plan.timeout;
  return run;
}

std::string registry_of(const std::string& image) {
  auto slash = image.find('/');
  if (slash == std::string::npos) return "docker.io";
  auto first = image.substr(0, slash);
  if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost") {
    return first;
  }
  return "docker.io";
}

std::pair<std::string, std::string> split_reference(const std::string& image) {
  if (auto at = image.find('@'); at != std::string::npos) return {image.substr(0, at), image.substr(at + 1)};
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {image, "latest"};
  return {image.substr(0, colon), image.substr(colon + 1)};
}

}  // namespace fical::agent::deploy
