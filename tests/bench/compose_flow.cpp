#include "tests/bench/compose_flow.hpp"

#include <fstream>
#include <random>
#include <stdexcept>

namespace fical::bench {

ComposeFlow::ComposeFlow(std::string docker_socket, std::string image, int boot_seconds,
                         const testing::PrivateNginx& nginx)
    : docker_socket_(std::move(docker_socket)), image_(std::move(image)),
      project_("benchcompose" + std::to_string(std::random_device{}() % 100000)), port_(testing::free_port()) {
  // The image comes from the environment so that only the tag changes between runs.
  // stop_grace_period matches the agent's stop_timeout (the test app ignores SIGTERM).
  std::ofstream(dir_.path() / "docker-compose.yml")
      << "version: \"3.7\"\nservices:\n  web:\n    image: \"${FICAL_BENCH_IMAGE}\"\n"
      << "    network_mode: host\n    stop_grace_period: 1s\n    environment:\n"
      << "      PORT: \"" << port_ << "\"\n      BOOT_DELAY: \"" << boot_seconds << "\"\n";
  std::ofstream(nginx.upstream_dir() / (project_ + ".conf"))
      << "upstream " << project_ << " { server 127.0.0.1:" << port_ << "; }\n";
  std::ofstream(nginx.location_dir() / (project_ + ".conf"))
      << "location " << path() << " { proxy_pass http://" << project_ << "/; }\n";
}

ComposeFlow::~ComposeFlow() { compose({"down", "-t", "1"}, "none"); }

CommandResult ComposeFlow::compose(const std::vector<std::string>& args, const std::string& version) {
  std::vector<std::string> argv{"docker-compose", "--ansi", "never", "-f", (dir_.path() / "docker-compose.yml").string(),
                                "-p", project_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv,
                     {{"DOCKER_HOST", "unix://" + docker_socket_}, {"FICAL_BENCH_IMAGE", image_ + ":" + version}},
                     std::chrono::seconds(120));
}

CommandResult ComposeFlow::up(const std::string& version) { return compose({"up", "-d"}, version); }

}  // namespace fical::bench
