#pragma once
// An app of a test's own on the shared dockerd and registry, behind a PrivateNginx: the
// parts of agent.yaml that point at them, the operator's site config (a location per
// environment proxying to fical's upstream), and cleanup of the app's containers.
#include <string>

#include "tests/support/processes.hpp"

namespace fical::testing {

/// Writes what every engine-level test needs; removes the app's containers on destruction.
class TestSite {
 public:
  /// `prefix` starts the random app name ("it", "cl", "crash"...).
  explicit TestSite(const std::string& prefix);
  ~TestSite();
  TestSite(const TestSite&) = delete;
  TestSite& operator=(const TestSite&) = delete;

  const std::string& app() const { return app_; }
  const PrivateNginx& nginx() const { return nginx_; }
  PrivateNginx& nginx() { return nginx_; }
  /// The path nginx serves the environment at: /<app>-<env>/.
  std::string path(const std::string& env) const { return "/" + app_ + "-" + env + "/"; }

  /// "docker:" and "nginx:" of agent.yaml for the shared dockerd and this nginx.
  std::string docker_and_nginx_yaml() const;
  /// One environment under apps.<app>.environments, with a `web` service of the test
  /// image on two free host ports, health and migration defaults. A key set in
  /// `env_extra` or `service_extra` replaces its default (YAML keys may not repeat);
  /// "@PATH@" in `env_extra` stands for path(env).
  std::string environment_yaml(const std::string& env, const std::string& env_extra = "",
                               const std::string& service_extra = "") const;
  /// The site config for the environment: its location, and an upstream that points
  /// nowhere until the first deploy (as an operator's first setup would). nginx loads it
  /// at its next reload.
  void route(const std::string& env) const;

 private:
  std::string app_;
  PrivateNginx nginx_;
};

/// Each line of `yaml` indented by `spaces` (for nesting a test's extra settings).
std::string indent_yaml(const std::string& yaml, int spaces);

}  // namespace fical::testing
