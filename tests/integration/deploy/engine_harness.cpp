#include "tests/integration/deploy/engine_harness.hpp"

#include <signal.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "agent/router/upstream.hpp"

namespace fical::testing {
namespace {

std::string random_app_name() {
  std::mt19937 random{std::random_device{}()};
  std::ostringstream name;
  name << "it" << std::hex << (random() & 0xffffff);
  return name.str();
}

std::string indent(const std::string& yaml, int spaces) {
  std::string out, pad(spaces, ' ');
  std::istringstream in(yaml);
  for (std::string line; std::getline(in, line);) out += pad + line + "\n";
  return out;
}

std::string env_yaml(const std::string& name, const std::string& app, const std::string& image,
                     const std::string& extra_env, const std::string& extra_service) {
  // Defaults the extra settings do not replace (YAML keys must not repeat).
  std::string defaults;
  for (const auto& [key, value] : {std::pair{"retain", "10"}, {"drain", "1s"}, {"stop_timeout", "1s"}}) {
    if (extra_env.find(std::string(key) + ":") == std::string::npos) {
      defaults += "        " + std::string(key) + ": " + value + "\n";
    }
  }
  std::string service_defaults;
  for (const auto& [key, value] : {std::pair{"health", "{ http: /health, deadline: 10s }"},
                                   {"migrate", "{ command: [/app/migrate.sh], timeout: 20s }"}}) {
    if (extra_service.find(std::string(key) + ":") == std::string::npos) {
      service_defaults += "            " + std::string(key) + ": " + value + "\n";
    }
  }
  return "      " + name + ":\n" + defaults +
         "        verify_path: /" + app + "-" + name + "/\n" + indent(extra_env, 8) +
         "        services:\n          web:\n            image: " + image + "\n" +
         "            ports: { blue: " + std::to_string(free_port()) + ", green: " + std::to_string(free_port()) +
         " }\n" + service_defaults + indent(extra_service, 12);
}

}  // namespace

EngineHarness::EngineHarness(const std::string& env_extra, const std::string& service_extra,
                             const std::string& app_extra)
    : app_(random_app_name()) {
  const auto& env = TestEnv::get();
  std::string test_command;
  for (const auto& part : nginx_.test_command()) test_command += (test_command.empty() ? "" : ", ") + part;
  auto yaml = "state_dir: " + state_dir_.path().string() + "\n" +
              "docker: { socket: " + env.docker_socket + " }\n" +
              "nginx:\n  upstream_dir: " + nginx_.upstream_dir().string() + "\n" +
              "  reload: { pidfile: " + nginx_.pidfile().string() + " }\n" +
              "  test_command: [" + test_command + "]\n" +
              "  verify_url: http://127.0.0.1:" + std::to_string(nginx_.port()) + "\n" +
              "apps:\n  " + app_ + ":\n" + indent(app_extra, 4) + "    environments:\n" +
              env_yaml("prod", app_, env.test_image, env_extra, service_extra) +
              env_yaml("staging", app_, env.test_image, env_extra, service_extra);
  auto parsed = agent::config::parse_config(yaml);
  if (!parsed.config) {
    std::string errors;
    for (const auto& e : parsed.errors) errors += e.to_string() + "\n";
    throw std::runtime_error("test config is invalid:\n" + errors + yaml);
  }
  config_ = *parsed.config;
  // The site config: each environment's location proxies to its upstream, which starts
  // out pointing nowhere (as an operator's first setup would).
  for (const auto& e : config_.apps[0].environments) {
    agent::router::UpstreamTarget nowhere{app_, e.name, "web", "none", "none", {"127.0.0.1:9"}};
    std::ofstream(nginx_.upstream_dir() / agent::router::upstream_file_name(nowhere))
        << agent::router::render_upstream(nowhere);
    std::ofstream(nginx_.location_dir() / (app_ + "-" + e.name + ".conf"))
        << "location " << path(e.name) << " { proxy_pass http://" << app_ << "-" << e.name << "-web/; }\n";
  }
  control_ = std::make_unique<agent::router::LocalNginx>(config_.nginx, runner_);
  auto reload = control_->reload();
  if (!reload.ok) throw std::runtime_error(reload.message);
  router_ = std::make_unique<agent::router::UpstreamRouter>(config_.nginx.upstream_dir, *control_);
  docker_ = std::make_unique<agent::docker::HttpDockerEngine>(
      agent::docker::HttpDockerEngine::Options{env.docker_socket, std::chrono::seconds(30)});
  store_ = std::make_unique<agent::store::StateStore>(state_dir_.path());
  manager_ = std::make_unique<agent::deploy::DeploymentManager>(
      agent::deploy::ManagerDeps{config_, *docker_, router_.get(), *store_, clock_});
}

EngineHarness::~EngineHarness() {
  manager_.reset();
  try {
    agent::docker::ContainerFilters filters;
    filters.labels = {"fical.app=" + app_};
    for (const auto& c : docker_->list_containers(filters)) docker_->remove_container(c.id, true);
  } catch (...) {
  }
}

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
  agent::DeployCommand command{app_, env, {version, false}, {"test", "127.0.0.1"}, ""};
  auto started = manager_->deploy(command);
  if (auto* error = std::get_if<proto::ApiError>(&started)) throw std::runtime_error(error->message);
  return wait(std::get<proto::Deployment>(started).id);
}

proto::Deployment EngineHarness::rollback(const std::string& release, const std::string& env) {
  agent::RollbackCommand command{app_, env, {release, false}, {"test", "127.0.0.1"}, ""};
  auto started = manager_->rollback(command);
  if (auto* error = std::get_if<proto::ApiError>(&started)) throw std::runtime_error(error->message);
  return wait(std::get<proto::Deployment>(started).id);
}

std::string EngineHarness::served(const std::string& env) {
  auto body = http_get(nginx_.port(), path(env)).body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

bool EngineHarness::settled_on(const std::string& version, const std::string& env) {
  return eventually([&] { return nginx_.worker_count() == 1 && served(env) == version; });
}

std::vector<std::string> EngineHarness::containers(const std::string& part) {
  agent::docker::ContainerFilters filters;
  filters.labels = {"fical.app=" + app_};
  std::vector<std::string> names;
  for (const auto& c : docker_->list_containers(filters)) {
    if (c.name.find(part) != std::string::npos) names.push_back(c.name + ":" + c.state);
  }
  return names;
}

}  // namespace fical::testing
