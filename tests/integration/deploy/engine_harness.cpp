#include "tests/integration/deploy/engine_harness.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "agent/router/upstream.hpp"

namespace fical::testing {

EngineHarness::EngineHarness(const std::string& env_extra, const std::string& service_extra,
                             const std::string& app_extra)
    : site_("it") {
  auto yaml = "state_dir: " + state_dir_.path().string() + "\n" + site_.docker_and_nginx_yaml() +
              "apps:\n  " + app() + ":\n" + indent_yaml(app_extra, 4) + "    environments:\n" +
              site_.environment_yaml("prod", env_extra, service_extra) +
              site_.environment_yaml("staging", env_extra, service_extra);
  auto parsed = agent::config::parse_config(yaml);
  if (!parsed.config) {
    std::string errors;
    for (const auto& e : parsed.errors) errors += e.to_string() + "\n";
    throw std::runtime_error("test config is invalid:\n" + errors + yaml);
  }
  config_ = *parsed.config;
  for (const auto& e : config_.apps[0].environments) site_.route(e.name);
  control_ = std::make_unique<agent::router::LocalNginx>(config_.nginx, runner_);
  control_->reload();  // throws RouterError with nginx's words
  router_ = std::make_unique<agent::router::UpstreamRouter>(config_.nginx.upstream_dir, *control_);
  docker_ = std::make_unique<agent::docker::HttpDockerEngine>(
      agent::docker::HttpDockerEngine::Options{TestEnv::get().docker_socket, std::chrono::seconds(30)});
  store_ = std::make_unique<agent::store::StateStore>(state_dir_.path());
  manager_ = std::make_unique<agent::deploy::DeploymentManager>(
      agent::deploy::ManagerDeps{config_, *docker_, router_.get(), *store_, clock_, host_});
  manager_->reconcile();  // as fical-agent does at start: deployments wait for it
}

EngineHarness::~EngineHarness() { manager_.reset(); }

std::string EngineHarness::image(const std::string& tag) const { return TestEnv::get().test_image + ":" + tag; }

proto::Deployment EngineHarness::wait(const std::string& id) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < until) {
    auto result = manager_->deployment(id);
    if (auto* d = std::get_if<proto::Deployment>(&result); d && proto::is_terminal(d->state)) return *d;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("deployment " + id + " did not end within 120 s");
}

proto::Deployment EngineHarness::deploy(const std::string& version, const std::string& env) {
  agent::DeployCommand command{app(), env, {version, false}, {"test", "127.0.0.1"}, ""};
  auto started = manager_->deploy(command);
  if (auto* error = std::get_if<proto::ApiError>(&started)) throw std::runtime_error(error->message);
  return wait(std::get<proto::Deployment>(started).id);
}

proto::Deployment EngineHarness::rollback(const std::string& release, const std::string& env, bool current_env) {
  agent::RollbackCommand command{app(), env, {release, false, current_env}, {"test", "127.0.0.1"}, ""};
  auto started = manager_->rollback(command);
  if (auto* error = std::get_if<proto::ApiError>(&started)) throw std::runtime_error(error->message);
  return wait(std::get<proto::Deployment>(started).id);
}

std::string EngineHarness::served(const std::string& env) {
  auto body = http_get(nginx_port(), path(env)).body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

bool EngineHarness::settled_on(const std::string& version, const std::string& env) {
  return eventually([&] { return nginx().worker_count() == 1 && served(env) == version; });
}

std::vector<std::string> EngineHarness::containers(const std::string& part) {
  agent::docker::ContainerFilters filters;
  filters.labels = {"fical.app=" + app()};
  std::vector<std::string> names;
  for (const auto& c : docker_->list_containers(filters)) {
    if (c.name.find(part) != std::string::npos) names.push_back(c.name + ":" + c.state);
  }
  return names;
}

}  // namespace fical::testing
