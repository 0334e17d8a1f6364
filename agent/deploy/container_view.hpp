#pragma once
// fical's app containers as Docker last reported them, kept current by the route keeper
// (after each Docker event and every few seconds) and by each deployment as it ends, so
// that status and /healthz answer from memory: never a Docker call per request.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/docker/engine.hpp"
#include "proto/release.hpp"

namespace fical::agent::deploy {

/// Thread-safe (one mutex). Readers never wait on Docker: refresh() asks Docker first and
/// takes the lock only to swap the answer in.
class ContainerView {
 public:
  using Clock = std::chrono::steady_clock;

  /// Lists fical's app containers (all apps, or one app/env) and inspects the running ones
  /// for their health; replaces what the view held for that scope. Throws DockerError.
  void refresh(docker::DockerEngine& docker, const std::string& app = {}, const std::string& env = {});
  /// A refresh failed: Docker did not answer.
  void docker_failed();

  /// The containers of app/env, by service and color.
  std::vector<proto::ContainerStatus> containers(const std::string& app, const std::string& env) const;
  /// Docker answered the last refresh, and it is at most `within` old.
  bool docker_answered_within(std::chrono::milliseconds within) const;
  /// current when docker_answered_within(within); stale when Docker answered once;
  /// unknown when it never did.
  proto::ContainersView freshness(std::chrono::milliseconds within) const;
  /// Counts refreshes and failures: equal twice, the view did not change between.
  std::uint64_t generation() const;

 private:
  struct Entry {
    std::string app, env;
    proto::ContainerStatus status;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> by_name_;
  std::optional<Clock::time_point> answered_;  // the last refresh Docker answered
  bool failed_ = false;                        // the last refresh failed
  std::uint64_t generation_ = 0;
};

}  // namespace fical::agent::deploy
