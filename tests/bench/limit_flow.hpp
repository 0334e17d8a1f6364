#pragma once
// The limit: a hand-made optimal blue-green switch of the same app, as fast as this host
// allows. The same migration, then create and start the idle color through the Docker API
// (a fresh name each time: removing the color's previous container waits until after the
// switch), GET /health every 10 ms, the upstream file written beside and renamed over
// (no fsync, no nginx -t), SIGHUP to nginx's master. No record, no checks: a floor to
// measure fical against, not a tool.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/docker/http_docker_engine.hpp"
#include "tests/bench/run_command.hpp"
#include "tests/support/processes.hpp"

namespace fical::bench {

/// Blue and green of the test app on two host ports, routed by `nginx` at /<project>/.
/// Removes its containers on destruction. Not thread-safe.
class LimitFlow {
 public:
  LimitFlow(std::string docker_socket, std::string image, int boot_seconds, const testing::PrivateNginx& nginx);
  ~LimitFlow();
  LimitFlow(const LimitFlow&) = delete;
  LimitFlow& operator=(const LimitFlow&) = delete;

  std::string path() const { return "/" + project_ + "/"; }
  /// Switches to `version` (exit 0 once nginx was signalled, then drains 1 s and stops the
  /// old color, like fical's drain and retire); exit 1 with the reason in `err` on failure.
  CommandResult switch_to(const std::string& version);
  /// How long each step of the last switch took, in order.
  const std::vector<std::pair<std::string, std::chrono::milliseconds>>& steps() const { return steps_; }

 private:
  void write_upstream(std::uint16_t port);
  void signal_nginx();

  agent::docker::HttpDockerEngine docker_;
  std::string image_;
  int boot_seconds_;
  const testing::PrivateNginx& nginx_;
  std::string project_;
  std::uint16_t ports_[2];
  int live_ = -1;                       // index of the live color, -1 before the first switch
  std::string containers_[2];           // the container of each color, empty when none
  int serial_ = 0;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> steps_;
};

}  // namespace fical::bench
