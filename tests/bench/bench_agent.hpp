#pragma once
// fical as its users run it: a real fical-agent process with the benchmark's app, driven
// by the real fical-client, behind the benchmark's nginx.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/deployment.hpp"
#include "tests/bench/run_command.hpp"
#include "tests/support/processes.hpp"

namespace fical::bench {

/// What the benchmark's agent runs: one app with the environments `prod` (with the test
/// app's migration) and `warm` (without, plus keep_warm) with host networking, and `net` on a Docker network when
/// `network` is set, all routed by `nginx` at /<app>-<env>/.
struct AgentSetup {
  std::string agent_binary;
  std::string client_binary;
  std::string docker_socket;
  std::string image;          // repository; versions are its tags
  int boot_seconds = 2;       // BOOT_DELAY of the test app
  std::string health_yaml;    // extra keys of the health check, e.g. "max_interval: 100ms"
  std::string network;        // a Docker network for the `net` environment; empty: none
};

/// A fical-agent process and its config; stopped (and its containers removed) on destruction.
class BenchAgent {
 public:
  BenchAgent(AgentSetup setup, const testing::PrivateNginx& nginx);
  ~BenchAgent();
  BenchAgent(const BenchAgent&) = delete;
  BenchAgent& operator=(const BenchAgent&) = delete;

  const std::string& app() const { return app_; }
  std::string path(const std::string& env) const { return "/" + app_ + "-" + env + "/"; }

  /// `fical-client deploy|rollback --app A --env E ... --json`, as a user runs it.
  CommandResult deploy(const std::string& env, const std::string& version);
  CommandResult rollback(const std::string& env, const std::string& release = "");
  /// What the agent logged so far (for a failure's message).
  std::string log_text() const;
  /// The deployment record the client printed with --json, if it printed one.
  static std::optional<proto::Deployment> record(const CommandResult& ran);

 private:
  CommandResult client(const std::vector<std::string>& args);

  AgentSetup setup_;
  std::string app_;
  testing::TempDir dir_;
  std::uint16_t port_ = 0;
  std::string token_;
  std::unique_ptr<testing::ChildProcess> process_;
};

}  // namespace fical::bench
