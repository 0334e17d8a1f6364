#pragma once
// What the Docker integration tests share: an engine on the environment's dockerd, unique
// names, the auth registry's coordinates, and guards that remove what a test created.
#include <memory>
#include <string>

#include "agent/docker/http_docker_engine.hpp"
#include "tests/support/test_env.hpp"

namespace fical::testing {

/// The auth registry of test-env.sh (htpasswd login), read from env.json.
struct AuthRegistry {
  std::string address;
  std::string user;
  std::string password;
};
const AuthRegistry& auth_registry();

/// An engine on the environment's dockerd (one per process: it is thread-safe).
agent::docker::HttpDockerEngine& docker();

/// "fical-docker-it-<what>-<pid>-<n>": unique across tests and parallel runs.
std::string unique_name(const std::string& what);

/// The test image at `tag` (e.g. "v1"), pulled from the local registry when missing.
std::string test_image(const std::string& tag);

/// A container spec for the test app listening on 127.0.0.1:port with host networking.
agent::docker::ContainerSpec app_spec(const std::string& name, const std::string& tag,
                                      int port);

/// Force-removes a container at scope exit (ignoring errors).
class ContainerGuard {
 public:
  explicit ContainerGuard(std::string id_or_name) : id_(std::move(id_or_name)) {}
  ~ContainerGuard();
  ContainerGuard(const ContainerGuard&) = delete;
  ContainerGuard& operator=(const ContainerGuard&) = delete;

 private:
  std::string id_;
};

}  // namespace fical::testing
