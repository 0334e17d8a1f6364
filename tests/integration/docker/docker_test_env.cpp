#include "tests/integration/docker/docker_test_env.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fical::testing {

namespace dk = agent::docker;

const AuthRegistry& auth_registry() {
  static const AuthRegistry registry = [] {
    const char* path = std::getenv("FICAL_TEST_ENV");
    if (!path) throw std::runtime_error("FICAL_TEST_ENV is not set: run scripts/test-env.sh up");
    std::ifstream file(path);
    auto env = nlohmann::json::parse(file);
    AuthRegistry r;
    r.address = env.at("auth_registry").get<std::string>();
    r.user = env.at("auth_registry_user").get<std::string>();
    std::ifstream password(env.at("auth_registry_password_file").get<std::string>());
    std::getline(password, r.password);
    return r;
  }();
  return registry;
}

dk::HttpDockerEngine& docker() {
  static dk::HttpDockerEngine engine(
      dk::HttpDockerEngine::Options{TestEnv::get().docker_socket, std::chrono::seconds(30)});
  return engine;
}

std::string unique_name(const std::string& what) {
  static std::atomic<int> counter{0};
  return "fical-docker-it-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

std::string test_image(const std::string& tag) {
  auto ref = TestEnv::get().test_image + ":" + tag;
  if (!docker().inspect_image(ref)) docker().pull({TestEnv::get().test_image, tag, {}}, {});
  return ref;
}

dk::ContainerSpec app_spec(const std::string& name, const std::string& tag, int port) {
  dk::ContainerSpec spec;
  spec.name = name;
  spec.image = test_image(tag);
  spec.env = {"PORT=" + std::to_string(port)};
  spec.labels = {{"fical.test", name}};
  return spec;
}

ContainerGuard::~ContainerGuard() {
  try {
    docker().remove_container(id_, true);
  } catch (const std::exception&) {
    // Cleanup must not hide the test's own failure.
  }
}

}  // namespace fical::testing
