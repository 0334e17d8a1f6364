// Faults: no daemon behind the socket, and a daemon killed in the middle of a stream and
// started again. The second uses a throwaway dockerd of its own (never the shared one).
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <thread>

#include "tests/integration/docker/docker_test_env.hpp"
#include "tests/support/processes.hpp"

using namespace fical::agent::docker;
using namespace fical::testing;
using namespace std::chrono_literals;

namespace {

/// A private dockerd on a socket in `dir`; killed (and its containerd stopped) at scope exit.
class ThrowawayDockerd {
 public:
  explicit ThrowawayDockerd(const std::filesystem::path& dir) : dir_(dir) { start(); }
  ~ThrowawayDockerd() {
    kill_hard();
    unmount_all();
  }

  std::string socket() const { return (dir_ / "d.sock").string(); }

  void start() {
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"dockerd", "--host", "unix://" + socket(), "--data-root",
                                 (dir_ / "data").string(), "--exec-root", (dir_ / "exec").string(),
                                 "--pidfile", (dir_ / "d.pid").string(), "--bridge=none",
                                 "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                                 "--userland-proxy=false"},
        dir_ / "dockerd.log");
  }

  /// SIGKILL: the daemon gets no chance to end its streams. Its containerd is stopped too.
  void kill_hard() {
    if (daemon_) daemon_->stop(SIGKILL, 10s);
    daemon_.reset();
    std::ifstream pidfile(dir_ / "exec" / "containerd" / "containerd.pid");
    pid_t containerd = 0;
    if (pidfile >> containerd && containerd > 0 && ::kill(containerd, SIGTERM) == 0) {
      eventually([&] { return ::kill(containerd, 0) != 0; }, 10s);
    }
  }

 private:
  /// dockerd bind-mounts its data root; a killed one leaves that (deepest first).
  void unmount_all() const {
    std::ifstream mounts("/proc/mounts");
    std::vector<std::string> under;
    std::string device, point, rest;
    auto prefix = dir_.string() + "/";
    while (mounts >> device >> point && std::getline(mounts, rest)) {
      if (point.rfind(prefix, 0) == 0) under.push_back(point);
    }
    std::sort(under.rbegin(), under.rend());
    for (const auto& p : under) ::umount2(p.c_str(), MNT_DETACH);
  }

  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace

TEST_CASE("docker: no daemon behind the socket is an unreachable error naming it", "[docker]") {
  TempDir dir;
  auto socket = (dir.path() / "docker.sock").string();
  HttpDockerEngine engine({socket, 5s});
  auto started = std::chrono::steady_clock::now();
  try {
    engine.version();
    FAIL("version() without a daemon succeeded");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::unreachable);
    CHECK_THAT(e.what(), Catch::Contains(socket));
  }
  CHECK_THROWS_AS(engine.inspect_container("x"), DockerError);
  CHECK(std::chrono::steady_clock::now() - started < 5s);  // fails fast, no hang
}

TEST_CASE("docker: a daemon that accepts and never answers times out at the deadline",
          "[docker]") {
  TempDir dir;
  auto path = (dir.path() / "hang.sock").string();
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 8) == 0);  // the kernel completes connects; nobody reads
  HttpDockerEngine engine({path, 300ms});
  auto started = std::chrono::steady_clock::now();
  try {
    engine.version();
    FAIL("version() against a silent socket succeeded");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::timeout);
    CHECK_THAT(e.what(), Catch::Contains(path));
  }
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  ::close(listener);
}

TEST_CASE("docker: a daemon killed mid-stream fails the call, the next call reconnects",
          "[docker]") {
  TempDir dir;
  ThrowawayDockerd daemon(dir.path());
  HttpDockerEngine engine({daemon.socket(), 5s});
  REQUIRE(eventually(
      [&] {
        try {
          return !engine.version().negotiated_version.empty();
        } catch (const DockerError&) {
          return false;
        }
      },
      60s));

  auto events = std::async(std::launch::async, [&] {
    EventFilters filters;
    filters.types = {"container"};
    return engine.events(filters, 60s, {});
  });
  // The stream opens at once; give it a moment, then pull the rug.
  std::this_thread::sleep_for(1s);
  REQUIRE(events.wait_for(0s) == std::future_status::timeout);
  daemon.kill_hard();
  REQUIRE(events.wait_for(20s) == std::future_status::ready);
  try {
    events.get();
    FAIL("the events stream ended normally although the daemon was killed");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::unreachable);
  }
  CHECK_THROWS_AS(engine.version(), DockerError);

  daemon.start();
  CHECK(eventually(
      [&] {
        try {
          return !engine.version().negotiated_version.empty();
        } catch (const DockerError&) {
          return false;
        }
      },
      60s));
  daemon.kill_hard();
}
