#include "tests/bench/limit_flow.hpp"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "agent/deploy/http_probe.hpp"

namespace fical::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

}  // namespace

LimitFlow::LimitFlow(std::string docker_socket, std::string image, int boot_seconds,
                     const testing::PrivateNginx& nginx)
    : docker_({std::move(docker_socket), std::chrono::seconds(30)}), image_(std::move(image)),
      boot_seconds_(boot_seconds), nginx_(nginx),
      project_("benchlimit" + std::to_string(std::random_device{}() % 100000)),
      ports_{testing::free_port(), testing::free_port()} {
  write_upstream(9);  // nowhere until the first switch
  std::ofstream(nginx_.location_dir() / (project_ + ".conf"))
      << "location " << path() << " { proxy_pass http://" << project_ << "/; }\n";
}

LimitFlow::~LimitFlow() {
  for (const auto& name : containers_) {
    try {
      if (!name.empty()) docker_.remove_container(name, true);
    } catch (...) {
    }
  }
}

void LimitFlow::write_upstream(std::uint16_t port) {
  auto file = nginx_.upstream_dir() / (project_ + ".conf");
  auto beside = nginx_.upstream_dir() / (project_ + ".conf.next");  // not *.conf: nginx skips it
  std::ofstream(beside) << "upstream " << project_ << " { server 127.0.0.1:" << port << "; }\n";
  std::filesystem::rename(beside, file);
}

void LimitFlow::signal_nginx() {
  std::ifstream in(nginx_.pidfile());
  pid_t master = 0;
  if (!(in >> master) || master <= 1 || ::kill(master, SIGHUP) != 0) throw std::runtime_error("cannot SIGHUP nginx");
}

CommandResult LimitFlow::switch_to(const std::string& version) {
  CommandResult result;
  steps_.clear();
  auto started = Clock::now();
  auto step = [&](const std::string& name, Clock::time_point from) { steps_.emplace_back(name, since(from)); };
  try {
    const int target = live_ == 0 ? 1 : 0;
    const auto port = ports_[target];
    const auto image = image_ + ":" + version;
    ++serial_;

    auto t = Clock::now();
    agent::docker::RunSpec migration;
    migration.container.name = project_ + "-migrate-" + std::to_string(serial_);
    migration.container.image = image;
    migration.container.cmd = {"/app/migrate.sh"};
    migration.container.network = "host";
    migration.timeout = std::chrono::seconds(60);
    auto ran = docker_.run_once(migration);
    if (ran.exit_code != 0) throw std::runtime_error("the migration exited " + std::to_string(ran.exit_code));
    step("migrate", t);

    t = Clock::now();
    agent::docker::ContainerSpec spec;
    spec.name = project_ + "-web-" + std::to_string(serial_);
    spec.image = image;
    spec.network = "host";
    spec.restart_policy = "unless-stopped";
    spec.env = {"PORT=" + std::to_string(port), "BOOT_DELAY=" + std::to_string(boot_seconds_)};
    auto previous_of_color = containers_[target];
    auto id = docker_.create_container(spec);
    docker_.start_container(id);
    containers_[target] = spec.name;
    step("create+start", t);

    t = Clock::now();
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (agent::deploy::http_probe("127.0.0.1", port, "/health", milliseconds(1000)).status != 200) {
      if (Clock::now() > deadline) throw std::runtime_error(spec.name + " did not become healthy in 30 s");
      std::this_thread::sleep_for(milliseconds(10));
    }
    step("health", t);

    t = Clock::now();
    write_upstream(port);
    signal_nginx();
    step("switch", t);
    step("to signal", started);
    // How long nginx takes from the signal to serving the new version (its reload).
    t = Clock::now();
    auto served = [&] {
      auto body = testing::http_get(nginx_.port(), path(), milliseconds(500)).body;
      return body.rfind(version, 0) == 0;
    };
    while (!served() && Clock::now() - t < std::chrono::seconds(5)) std::this_thread::sleep_for(milliseconds(1));
    step("signal to served", t);

    // Off the critical path: drain, stop the old color, remove the color's previous one.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (live_ >= 0) docker_.stop_container(containers_[live_], std::chrono::seconds(1));
    if (!previous_of_color.empty()) docker_.remove_container(previous_of_color, true);
    live_ = target;
    result.exit_code = 0;
  } catch (const std::exception& e) {
    result.exit_code = 1;
    result.err = e.what();
  }
  result.wall = since(started);
  return result;
}

}  // namespace fical::bench
