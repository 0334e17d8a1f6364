#pragma once
// The deployment engine assembled from its real parts for fical-agent: the Docker client
// on the configured socket, the state store, nginx control and the manager.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/deployment_service.hpp"
#include "proto/deployment.hpp"

namespace fical::agent::store {
class StateStore;
}

namespace fical::agent::deploy {

/// Owns every part of the engine; destroy it to stop deployments and join their threads.
class Engine {
 public:
  /// Takes state_dir's lock (throws when another agent holds it). Talks to no daemon yet.
  explicit Engine(const config::Config& config);
  ~Engine();

  DeploymentService& service();
  /// fical.db: the audit trail is kept there too.
  store::StateStore& store();
  /// Called with each deployment's record when it ends (metrics, audit). Set before serving.
  void on_deployment_finished(std::function<void(const proto::Deployment&)> callback);
  /// Reconciles records, containers and nginx after a restart; returns what it did.
  /// Throws when Docker does not answer.
  std::vector<std::string> reconcile();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace fical::agent::deploy
