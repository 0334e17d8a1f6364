#include "agent/deploy/engine.hpp"

#include "agent/deploy/clock.hpp"
#include "agent/deploy/container_nginx.hpp"
#include "agent/deploy/deployment_manager.hpp"
#include "agent/docker/http_docker_engine.hpp"
#include "agent/router/nginx_control.hpp"
#include "agent/router/process_runner.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/atomic_file.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::deploy {

struct Engine::Parts {
  explicit Parts(const config::Config& c)
      : config(c),
        store(c.state_dir),
        docker(docker::HttpDockerEngine::Options{c.docker.socket, c.docker.request_timeout}) {
    if (!c.nginx.upstream_dir.empty()) {
      store::ensure_directory(c.nginx.upstream_dir, 0755);
      if (c.nginx.reload.kind == config::NginxReload::Kind::container) {
        nginx = std::make_unique<ContainerNginx>(docker, c.nginx.reload.container, c.nginx.test_command);
      } else {
        nginx = std::make_unique<router::LocalNginx>(c.nginx, runner);
      }
      router = std::make_unique<router::UpstreamRouter>(c.nginx.upstream_dir, *nginx);
      router->set_maintenance_options({c.nginx.maintenance_port, c.nginx.maintenance_page, store.verify_secret()});
    }
    store.start_pruning({static_cast<std::size_t>(c.state.keep_deployments), static_cast<int>(c.state.keep_days),
                         static_cast<std::size_t>(c.state.keep_audit_records), static_cast<int>(c.state.keep_audit_days)});
    manager = std::make_unique<DeploymentManager>(ManagerDeps{.config = config,
                                                                       .docker = docker,
                                                                       .router = router.get(),
                                                                       .store = store,
                                                                       .clock = clock,
                                                                       .host = host});
  }

  const config::Config& config;
  store::StateStore store;
  docker::HttpDockerEngine docker;
  router::SpawnProcessRunner runner;
  std::unique_ptr<router::NginxControl> nginx;
  std::unique_ptr<router::UpstreamRouter> router;
  SteadyClock clock;
  SystemHost host;
  std::unique_ptr<DeploymentManager> manager;  // last: stopped first
};

Engine::Engine(const config::Config& config) : parts_(std::make_unique<Parts>(config)) {}
Engine::~Engine() = default;

DeploymentService& Engine::service() { return *parts_->manager; }
store::StateStore& Engine::store() { return parts_->store; }
std::vector<std::string> Engine::reconcile() { return parts_->manager->reconcile(); }
void Engine::on_deployment_finished(std::function<void(const proto::Deployment&)> callback) {
  parts_->manager->on_finished(std::move(callback));
}

}  // namespace fical::agent::deploy
