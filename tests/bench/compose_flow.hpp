#pragma once
// The flow fical replaces: `docker-compose -p X up -d` with the new tag, the app on a
// fixed host port that nginx's upstream points at.
#include <cstdint>
#include <string>

#include "tests/bench/run_command.hpp"
#include "tests/support/processes.hpp"

namespace fical::bench {

/// A compose project of the test app (network_mode: host, one fixed PORT) on the private
/// dockerd, routed by `nginx` at /<project>/; `down` on destruction.
class ComposeFlow {
 public:
  ComposeFlow(std::string docker_socket, std::string image, int boot_seconds, const testing::PrivateNginx& nginx);
  ~ComposeFlow();
  ComposeFlow(const ComposeFlow&) = delete;
  ComposeFlow& operator=(const ComposeFlow&) = delete;

  std::string path() const { return "/" + project_ + "/"; }
  /// `docker-compose -p <project> up -d` with the image tag `version`.
  CommandResult up(const std::string& version);

 private:
  CommandResult compose(const std::vector<std::string>& args, const std::string& version);

  std::string docker_socket_;
  std::string image_;
  std::string project_;
  std::uint16_t port_;
  testing::TempDir dir_;
};

}  // namespace fical::bench
