// Faults an operator causes by hand on the host, under load through nginx: a container or
// image removed, the live container stopped, fical's upstream file deleted or edited, nginx
// stopped. Each ends with a clear error (asserted on state, phase and event data), the
// healthy color still serving with 0 failed requests where one exists, a consistent state
// (status and history) and the next deploy working.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agent/router/upstream.hpp"
#include "tests/integration/deploy/engine_harness.hpp"
#include "tests/support/load_generator.hpp"

using namespace fical;
using namespace fical::testing;
using proto::DeploymentState;
using proto::Phase;

namespace {

// Short drains keep the suite lean; everything else is the engine's defaults.
constexpr const char* kLean = "drain: 300ms\nstop_timeout: 1s\n";

std::string events_text(const proto::Deployment& d) {
  std::string text;
  for (const auto& e : d.events) {
    text += "[" + std::string(proto::to_string(e.phase)) + "] " + e.message + " " + e.data.dump() + "\n";
  }
  return text + "error: " + d.error;
}

void require_succeeded(const proto::Deployment& d) {
  INFO(events_text(d));
  REQUIRE(d.state == DeploymentState::succeeded);
}

/// The data of the deployment's first error event (the step's details), or null.
nlohmann::json error_data(const proto::Deployment& d) {
  for (const auto& e : d.events) {
    if (e.level == proto::EventLevel::error) return e.data;
  }
  return nullptr;
}

std::vector<Phase> phases_of(const proto::Deployment& d) {
  std::vector<Phase> out;
  for (const auto& p : d.phases) out.push_back(p.phase);
  return out;
}

bool reached(const proto::Deployment& d, Phase phase) {
  auto all = phases_of(d);
  return std::find(all.begin(), all.end(), phase) != all.end();
}

/// The docker CLI against the test's dockerd, as an operator types it.
void docker_cli(std::vector<std::string> args) {
  args.insert(args.begin(), {"docker", "-H", "unix://" + TestEnv::get().docker_socket});
  auto ran = agent::router::SpawnProcessRunner().run(args, std::chrono::seconds(60));
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
}

/// Status as the API answers it: the view's state of the env's container of `color`.
std::string status_of(EngineHarness& h, const std::string& color) {
  auto status = std::get<proto::EnvStatus>(h.manager().env_status(h.app(), "prod"));
  for (const auto& c : status.containers) {
    if (c.color == color) return c.version + ":" + c.state;
  }
  return "(none)";
}

std::string live_version(EngineHarness& h) {
  auto status = std::get<proto::EnvStatus>(h.manager().env_status(h.app(), "prod"));
  return status.live ? status.live->version : "";
}

/// No deployment or housekeeping holds the env.
bool env_free(EngineHarness& h) {
  for (const auto& app : h.manager().apps()) {
    for (const auto& env : app.environments) {
      if (app.name == h.app() && env.name == "prod") return env.running_deployment.empty();
    }
  }
  return false;
}

std::filesystem::path upstream_file(EngineHarness& h) {
  agent::router::UpstreamTarget t{h.app(), "prod", "web", "", "", {}, {}};
  return h.nginx().upstream_dir() / agent::router::upstream_file_name(t);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a warm or retained container removed by hand: rollback recreates it", "[faults]") {
  EngineHarness h(std::string(kLean) + "keep_warm: 2s\n");
  require_succeeded(h.deploy("v1"));
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));
  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));

  // The warm blue (v1) goes; its keep_warm window then ends with nothing to stop.
  docker_cli({"rm", "-f", h.app() + "-prod-web-blue"});
  REQUIRE(eventually([&] { return status_of(h, "blue") == "(none)"; }, std::chrono::seconds(8)));
  REQUIRE(eventually([&] { return !h.store().load_env(h.app(), "prod").warm_until; }, std::chrono::seconds(8)));
  CHECK(env_free(h));  // housekeeping gave the env back
  CHECK(live_version(h) == "v2");

  // v1 is now a retained release without a container: the rollback recreates it.
  auto back = h.rollback("v1");
  require_succeeded(back);
  CHECK(back.version == "v1");
  CHECK(reached(back, Phase::start));
  REQUIRE(eventually([&] { return h.served() == "v1"; }));
  CHECK(status_of(h, "blue") == "v1:running");

  auto next = h.deploy("v3");
  require_succeeded(next);
  REQUIRE(eventually([&] { return h.served() == "v3"; }));
  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
  CHECK(report.bodies.count("v1"));
  CHECK(report.bodies.count("v3"));
  auto history = std::get<std::vector<proto::Deployment>>(h.manager().deployments(h.app(), "prod", 10));
  REQUIRE(history.size() == 4);
  CHECK(history[0].state == DeploymentState::succeeded);
  CHECK(history[1].kind == proto::DeploymentKind::rollback);
}

TEST_CASE("the live container stopped by hand: rollback, then deploy, serve again", "[faults]") {
  EngineHarness h(kLean);
  require_succeeded(h.deploy("v1"));
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));

  docker_cli({"stop", "-t", "1", h.app() + "-prod-web-green"});
  // Status follows Docker's events: the live release is recorded, its container is down.
  REQUIRE(eventually([&] { return status_of(h, "green") == "v2:exited"; }, std::chrono::seconds(8)));
  CHECK(live_version(h) == "v2");
  CHECK(h.served() != "v2");

  auto back = h.rollback();
  require_succeeded(back);
  CHECK(back.version == "v1");
  CHECK_FALSE(back.previous_serving);  // the record says nothing served before it
  bool warned = false;
  for (const auto& e : back.events) {
    if (e.level == proto::EventLevel::warn && e.data.contains("not_running")) warned = e.data["live_color"] == "green";
  }
  CHECK(warned);
  REQUIRE(h.settled_on("v1"));
  CHECK(status_of(h, "blue") == "v1:running");

  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  auto next = h.deploy("v3");
  require_succeeded(next);
  CHECK(next.previous_serving);
  REQUIRE(eventually([&] { return h.served() == "v3"; }));
  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
  CHECK(live_version(h) == "v3");
  CHECK(status_of(h, "green") == "v3:running");
}

TEST_CASE("a retained image removed by hand: rollback pulls it by its digest", "[faults]") {
  EngineHarness h(kLean);
  // An image of this test's own (v1 with a label of its own, so its own digest): removing
  // it disturbs no other test.
  auto tag = "retained-" + h.app();
  auto scratch = h.app() + "-commit";
  docker_cli({"create", "--name", scratch, "fical-test-app:v1"});
  docker_cli({"commit", "--change", "LABEL fical.test.owner=" + h.app(), scratch, h.image(tag)});
  docker_cli({"rm", scratch});
  docker_cli({"push", "-q", h.image(tag)});
  require_succeeded(h.deploy(tag));
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));
  auto recorded = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod")).at(1);
  REQUIRE(recorded.version == tag);
  auto digest = recorded.images.at(0).digest;
  REQUIRE(digest.rfind("sha256:", 0) == 0);

  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  // The retained container and its image go, every tag and digest of it.
  docker_cli({"rm", "-f", h.app() + "-prod-web-blue"});
  docker_cli({"rmi", "-f", recorded.images.at(0).image_id});
  REQUIRE_FALSE(h.docker().inspect_image(h.image(tag)).has_value());

  auto back = h.rollback(tag);
  require_succeeded(back);
  CHECK(reached(back, Phase::pull));
  bool pulled_by_digest = false;
  for (const auto& e : back.events) {
    if (e.phase == Phase::pull && e.data.contains("digest")) {
      pulled_by_digest = e.data["digest"] == digest && e.data["image"].get<std::string>().find("@" + digest) !=
                                                           std::string::npos;
    }
  }
  CHECK(pulled_by_digest);
  REQUIRE(eventually([&] { return h.served() == "v1"; }));  // the image answers v1

  auto next = h.deploy("v3");
  require_succeeded(next);
  REQUIRE(eventually([&] { return h.served() == "v3"; }));
  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
  auto live = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod")).at(0);
  CHECK(live.version == "v3");
  h.docker().remove_image(h.image(tag), true);
}

TEST_CASE("fical's upstream file deleted or edited by hand is restored", "[faults]") {
  EngineHarness h(kLean);
  require_succeeded(h.deploy("v1"));
  REQUIRE(h.settled_on("v1"));
  auto file = upstream_file(h);
  auto ours = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod")).at(0).upstreams.at("web");
  REQUIRE(read_text(file) == ours);
  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));

  // Deleted: nginx still runs the configuration it loaded; the agent writes the file again
  // (its route keeper, within its 5 s backstop).
  std::filesystem::remove(file);
  REQUIRE(eventually([&] { return read_text(file) == ours; }, std::chrono::seconds(8)));
  // The keeper tests and reloads nginx after it wrote the file: let that end first.
  REQUIRE(h.settled_on("v1"));
  // Edited into something nginx -t refuses, then deployed at once: the preflight puts
  // fical's own text back instead of refusing over it.
  std::ofstream(file) << "upstream broken {\n";
  auto next = h.deploy("v2");
  require_succeeded(next);
  bool restored = false;
  for (const auto& e : next.events) {
    if (e.phase == Phase::preflight && e.data.contains("restored")) restored = e.data["restored"].size() == 1;
  }
  CHECK(restored);
  REQUIRE(eventually([&] { return h.served() == "v2"; }));
  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
  auto live = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod")).at(0);
  CHECK(live.version == "v2");
  CHECK(read_text(file) == live.upstreams.at("web"));
}

TEST_CASE("nginx stopped: a deploy is refused before any change", "[faults]") {
  EngineHarness h(kLean);
  require_succeeded(h.deploy("v1"));
  REQUIRE(h.settled_on("v1"));
  auto before = h.containers();

  h.nginx().stop();
  auto refused = h.deploy("v2");
  INFO(events_text(refused));
  CHECK(refused.state == DeploymentState::failed);
  CHECK(refused.phase == Phase::preflight);
  CHECK(phases_of(refused) == std::vector<Phase>{Phase::preflight});  // no pull, no migration
  auto data = error_data(refused);
  CHECK(data.value("reason", "") == "nginx_not_running");
  CHECK(h.containers() == before);  // nothing started, nothing removed
  CHECK(live_version(h) == "v1");
  CHECK(h.store().load_env(h.app(), "prod").live_color == "blue");

  h.nginx().start();
  REQUIRE(h.settled_on("v1"));
  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  require_succeeded(h.deploy("v2"));
  REQUIRE(eventually([&] { return h.served() == "v2"; }));
  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
}
