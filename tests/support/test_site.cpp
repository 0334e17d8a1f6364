#include "tests/support/test_site.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "agent/docker/http_docker_engine.hpp"
#include "agent/router/upstream.hpp"

namespace fical::testing {
namespace {

// The defaults whose keys `extra` does not set, as YAML lines at `spaces`.
std::string defaults_not_in(const std::string& extra, int spaces,
                            const std::vector<std::pair<std::string, std::string>>& defaults) {
  std::string out;
  for (const auto& [key, value] : defaults) {
    if (extra.find(key + ":") == std::string::npos) out += std::string(spaces, ' ') + key + ": " + value + "\n";
  }
  return out;
}

// "@PATH@" in a test's settings stands for the environment's path.
std::string with_path(std::string yaml, const std::string& path) {
  for (auto at = yaml.find("@PATH@"); at != std::string::npos; at = yaml.find("@PATH@")) {
    yaml.replace(at, 6, path);
  }
  return yaml;
}

}  // namespace

std::string indent_yaml(const std::string& yaml, int spaces) {
  std::string out, pad(spaces, ' ');
  std::istringstream in(yaml);
  for (std::string line; std::getline(in, line);) out += pad + line + "\n";
  return out;
}

TestSite::TestSite(const std::string& prefix) {
  std::mt19937 random{std::random_device{}()};
  std::ostringstream name;
  name << prefix << std::hex << (random() & 0xffffff);
  app_ = name.str();
}

TestSite::~TestSite() {
  try {
    agent::docker::HttpDockerEngine docker({TestEnv::get().docker_socket, std::chrono::seconds(30)});
    agent::docker::ContainerFilters filters;
    filters.labels = {"fical.app=" + app_};
    for (const auto& c : docker.list_containers(filters)) docker.remove_container(c.id, true);
  } catch (...) {
  }
}

std::string TestSite::docker_and_nginx_yaml() const {
  std::string test_command;
  for (const auto& part : nginx_.test_command()) test_command += (test_command.empty() ? "" : ", ") + part;
  return "docker: { socket: " + TestEnv::get().docker_socket + " }\n" +
         "nginx:\n  upstream_dir: " + nginx_.upstream_dir().string() + "\n" +
         "  reload: { pidfile: " + nginx_.pidfile().string() + " }\n" +
         "  test_command: [" + test_command + "]\n" +
         "  verify_url: http://127.0.0.1:" + std::to_string(nginx_.port()) + "\n";
}

std::string TestSite::environment_yaml(const std::string& env, const std::string& env_extra,
                                       const std::string& service_extra) const {
  return "      " + env + ":\n" +
         defaults_not_in(env_extra, 8, {{"retain", "10"}, {"drain", "1s"}, {"stop_timeout", "1s"},
                                        {"verify_path", path(env)}}) +
         indent_yaml(with_path(env_extra, path(env)), 8) + "        services:\n          web:\n" +
         "            image: " + TestEnv::get().test_image + "\n" +
         "            ports: { blue: " + std::to_string(free_port()) + ", green: " + std::to_string(free_port()) +
         " }\n" +
         defaults_not_in(service_extra, 12, {{"health", "{ http: /health, deadline: 10s }"},
                                             {"migrate", "{ command: [/app/migrate.sh], timeout: 20s }"}}) +
         indent_yaml(service_extra, 12);
}

void TestSite::route(const std::string& env) const {
  agent::router::UpstreamTarget nowhere{app_, env, "web", "none", "none", {"127.0.0.1:9"}, {}};
  std::ofstream(nginx_.upstream_dir() / agent::router::upstream_file_name(nowhere))
      << agent::router::render_upstream(nowhere);
  std::ofstream(nginx_.location_dir() / (app_ + "-" + env + ".conf"))
      << "location " << path(env) << " { proxy_pass http://" << app_ << "-" << env << "-web/; }\n";
}

}  // namespace fical::testing
