#pragma once
// A Docker engine in memory for unit tests of the deployment engine (ninja's
// FakeCommandRunner is the model): it records every call as a line ("create
// web-prod-api-blue"), keeps images and containers as plain data, and fails on cue.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/docker/engine.hpp"

namespace fical::testing {

/// What a container started from an image does, set per image reference.
struct FakeImageBehaviour {
  std::string health = "healthy";  // State.Health.Status while it runs; "" without a HEALTHCHECK
  std::optional<int> exits;        // exits with this code at start
  bool restarted = false;          // with `exits`: Docker's restart policy brought it back, as
                                   // Docker shows it (running, RestartCount 1, ExitCode 0)
  int run_exit_code = 0;           // run_once (a migration): its exit code
  bool run_times_out = false;      // run_once: killed at its timeout
};

/// Thread-safe (one mutex); deterministic (ids and addresses count up).
class FakeDockerEngine : public agent::docker::DockerEngine {
 public:
  /// An image that "pulls" (and is then present) with a digest of its own.
  void add_registry_image(const std::string& ref, FakeImageBehaviour behaviour = {});
  /// An image present here only, as a build leaves it: id `id`, no repository digest.
  void add_local_image(const std::string& ref, const std::string& id);
  /// The next call whose line starts with `call_prefix` throws `error` (once).
  void fail_next(const std::string& call_prefix, agent::docker::DockerError error);
  /// Every call so far, one line each, in order.
  std::vector<std::string> calls() const;
  /// Calls whose line starts with `prefix`.
  std::vector<std::string> calls_starting(const std::string& prefix) const;
  /// nullopt when there is no such container.
  std::optional<agent::docker::ContainerInfo> container(const std::string& name) const;
  /// Marks a running container stopped, as `docker stop` by hand would.
  void stop_by_hand(const std::string& name);
  /// Removes a container without recording a call, as `docker rm -f` by hand would.
  void remove_by_hand(const std::string& name);
  /// While down, every call is recorded and throws DockerError unreachable: dockerd stopped.
  void set_down(bool down);
  /// Called (without the engine's lock) as distribution() begins: a test may block here,
  /// as a registry that hangs would.
  std::function<void(const std::string& ref)> before_distribution;
  /// Called with each call's line as it is recorded, under the engine's lock: it must not
  /// call the engine (a test cancels a deployment here).
  std::function<void(const std::string& line)> on_call;

  agent::docker::VersionInfo version() override;
  agent::docker::DaemonInfo info() override;
  void pull(const agent::docker::PullSpec& spec, const agent::docker::PullCallback& on_progress) override;
  std::optional<agent::docker::ImageInfo> inspect_image(const std::string& ref) override;
  agent::docker::DistributionInfo distribution(const std::string& ref,
                                               const std::optional<agent::docker::RegistryAuth>& auth) override;
  void tag_image(const std::string& source, const std::string& repo, const std::string& tag) override;
  void remove_image(const std::string& ref, bool force) override;
  std::vector<agent::docker::ImageSummary> list_images(const agent::docker::ImageFilters& filters) override;
  agent::docker::BuildResult build(const agent::docker::BuildOptions& options, std::string context_tar,
                                   const agent::docker::BuildCallback& on_output) override;
  std::string create_container(const agent::docker::ContainerSpec& spec) override;
  void start_container(const std::string& id) override;
  void stop_container(const std::string& id, std::chrono::seconds timeout) override;
  void kill_container(const std::string& id, const std::string& signal) override;
  void remove_container(const std::string& id, bool force) override;
  std::optional<agent::docker::ContainerInfo> inspect_container(const std::string& id) override;
  std::vector<agent::docker::ContainerSummary> list_containers(const agent::docker::ContainerFilters& filters) override;
  void rename_container(const std::string& id, const std::string& new_name) override;
  int wait_container(const std::string& id, std::chrono::milliseconds timeout) override;
  agent::docker::ExecResult exec(const std::string& container, const agent::docker::ExecSpec& spec) override;
  agent::docker::RunResult run_once(const agent::docker::RunSpec& spec) override;
  agent::docker::StreamEnd logs(const std::string& container, const agent::docker::LogOptions& options,
                                const agent::docker::LogCallback& on_line) override;
  agent::docker::StreamEnd events(const agent::docker::EventFilters& filters, std::chrono::milliseconds timeout,
                                  const agent::docker::EventCallback& on_event) override;
  std::optional<agent::docker::NetworkInfo> inspect_network(const std::string& name) override;
  void connect_network(const std::string& network, const std::string& container,
                       const std::vector<std::string>& aliases) override;

 private:
  struct Container {
    agent::docker::ContainerInfo info;
    agent::docker::ContainerSpec spec;
  };
  void record(const std::string& line);  // with mutex_ held; throws a cued failure
  Container* find(const std::string& name_or_id);

  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
  std::vector<std::pair<std::string, agent::docker::DockerError>> failures_;
  std::map<std::string, FakeImageBehaviour> registry_;                 // pullable refs
  std::map<std::string, agent::docker::ImageInfo> images_;            // present, by ref
  std::map<std::string, Container> containers_;                       // by name
  std::vector<agent::docker::Event> died_;                            // past "die" events
  bool down_ = false;
  int next_id_ = 1;
  int next_address_ = 2;
};

}  // namespace fical::testing
