// fical-agent started before Docker answers: the API serves at once, deployments are refused
// until Docker answers and the agent has reconciled, and only then does it tell systemd
// READY=1 (on a NOTIFY_SOCKET of the test's own, as systemd would listen).
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/router/process_runner.hpp"
#include "agent/store/digest.hpp"
#include "tests/support/processes.hpp"

using namespace fical::testing;
using namespace std::chrono_literals;

namespace {

/// The datagram socket systemd listens on for sd_notify messages.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.string().copy(address.sun_path, sizeof(address.sun_path) - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error("cannot bind " + path.string());
    }
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~NotifySocket() { ::close(fd_); }

  /// Everything received so far, one message per line.
  const std::string& received() {
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd_, buffer, sizeof(buffer), 0)) > 0;) received_.append(buffer, n).append("\n");
    return received_;
  }

 private:
  int fd_ = -1;
  std::string received_;
};

std::string curl_post(std::uint16_t port, const std::string& path, const std::string& token) {
  fical::agent::router::SpawnProcessRunner runner;
  return runner
      .run({"curl", "-s", "-X", "POST", "-H", "Authorization: Bearer " + token, "-d", R"({"version":"v1"})",
            "http://127.0.0.1:" + std::to_string(port) + path},
           30s)
      .output;
}

}  // namespace

TEST_CASE("the agent serves at once, and is READY only once Docker answers and it has reconciled",
          "[startup]") {
  const char* agent = std::getenv("FICAL_AGENT_BIN");
  REQUIRE(agent);
  TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  auto docker_socket = dir.path() / "docker.sock";  // Docker is not there yet
  auto port = free_port();
  std::string token = "startup-test-token";
  std::ofstream(dir.path() / "agent.yaml")
      << "listen: [\"127.0.0.1:" << port << "\"]\n"
      << "state_dir: " << (dir.path() / "state").string() << "\n"
      << "docker: { socket: " << docker_socket.string() << " }\n"
      << "tokens: [{ id: test, sha256: \"" << fical::agent::store::sha256_hex(token) << "\", scopes: [deploy] }]\n"
      << "apps:\n  jobs:\n    environments:\n      prod:\n        services:\n"
      << "          worker: { image: 127.0.0.1:1/jobs, health: { min_healthy: 1s } }\n";
  ::setenv("NOTIFY_SOCKET", (dir.path() / "notify.sock").c_str(), 1);
  ChildProcess process({agent, "--config", (dir.path() / "agent.yaml").string()}, dir.path() / "agent.log");
  ::unsetenv("NOTIFY_SOCKET");

  // The API answers, but says Docker is not there, and refuses deployments.
  REQUIRE(eventually([&] { return http_get(port, "/healthz").status == 503; }, 10s));
  CHECK_THAT(http_get(port, "/healthz").body, Catch::Contains("\"docker\":false"));
  CHECK_THAT(curl_post(port, "/v1/apps/jobs/envs/prod/deployments", token),
             Catch::Contains("unavailable") && Catch::Contains("the agent is starting"));
  CHECK(eventually([&] { return notify.received().find("STATUS=waiting for Docker at " + docker_socket.string()) !=
                                std::string::npos; }, 5s));
  std::this_thread::sleep_for(500ms);
  CHECK(notify.received().find("READY=1") == std::string::npos);

  // Docker appears: the agent reconciles, then says READY and accepts deployments.
  std::filesystem::create_symlink(TestEnv::get().docker_socket, docker_socket);
  CHECK(eventually([&] { return notify.received().find("READY=1") != std::string::npos; }, 15s));
  CHECK(http_get(port, "/healthz").status == 200);
  CHECK_THAT(curl_post(port, "/v1/apps/jobs/envs/nope/deployments", token), Catch::Contains("not_found"));

  // SIGTERM: STOPPING=1, then a clean exit.
  CHECK(process.stop(SIGTERM, 15s) == 0);
  CHECK(notify.received().find("STOPPING=1") != std::string::npos);
}
