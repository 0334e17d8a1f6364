// The executor's canary step loop against a FakeDockerEngine, a FakeHost clock (a 10 s step
// takes no real time) and a scripted access log: traffic per poll to each color's address,
// with the statuses and times the test chooses. Each test asserts the outcome, the event
// data, the record's analysis and the upstream file left behind.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <thread>

#include "agent/canary/access_log_source.hpp"
#include "agent/deploy/deployment_manager.hpp"
#include "agent/deploy/deployment_run.hpp"
#include "agent/router/canary_upstream.hpp"
#include "tests/support/fake_docker_engine.hpp"
#include "tests/support/fake_host.hpp"
#include "tests/support/test_env.hpp"

using namespace fical;
using proto::DeploymentState;

namespace {

/// nginx -t and reload always pass; counted.
class CountingNginx : public agent::router::NginxControl {
 public:
  int reloads = 0;
  void test() override {}
  void reload() override { ++reloads; }
};

/// What the scripted log writes at each poll: requests per color and how each answers.
struct Traffic {
  int canary = 2;  // lines per poll to the canary's address
  int stable = 18;
  std::function<int(int n)> canary_status = [](int) { return 200; };  // n: the canary request's number
  double canary_seconds = 0.010;
  double stable_seconds = 0.010;
};

/// Thrown from a poll to stop a run where it is, as a SIGKILL would: the executor catches
/// std::exception and Cancelled only, so nothing is cleaned up.
struct SimulatedCrash {};

/// One app `web`, env `prod` on the network `platform`, strategy canary with two 10 s steps.
class CanaryHarness {
 public:
  explicit CanaryHarness(const std::string& analysis = "{ min_requests: 20, max_error_ratio: 0.05 }") {
    auto parsed = agent::config::parse_config(R"(
state_dir: )" + (dir_.path() / "state").string() + R"(
docker: { min_free_disk_mb: 0 }
nginx: { upstream_dir: )" + (dir_.path() / "upstreams").string() + R"(, access_log: )" +
                                              (dir_.path() / "access.json").string() + R"( }
apps:
  web:
    environments:
      prod:
        network: platform
        drain: 1ms
        stop_timeout: 1s
        strategy: canary
        steps: [{weight: 10, for: 10s}, {weight: 50, for: 10s}]
        analysis: )" + analysis + R"(
        services:
          api:
            image: r/web
            port: 3000
            health: { docker: true, deadline: 2s, interval: 10ms, max_interval: 20ms }
)");
    INFO((parsed.errors.empty() ? std::string() : parsed.errors.front().to_string()));
    REQUIRE(parsed.config);
    config_ = *parsed.config;
    std::filesystem::create_directories(dir_.path() / "upstreams");
    store_ = std::make_unique<agent::store::StateStore>(config_.state_dir);
    router_ = std::make_unique<agent::router::UpstreamRouter>(dir_.path() / "upstreams", nginx);
  }

  /// Runs a deployment of `version`; `on_poll(n, log)` is called at each poll of the log
  /// (n from 1), before its lines are made.
  DeploymentState run(const std::string& version,
                      std::function<void(int, agent::deploy::DeploymentLog&)> on_poll = nullptr) {
    const auto& app = *config_.find_app("web");
    const auto& env = *app.find_environment("prod");
    proto::Deployment initial;
    initial.id = "d-" + std::to_string(++runs_);
    initial.app = "web";
    initial.env = "prod";
    initial.version = version;
    initial.created_at = proto::now_ms();
    agent::deploy::DeploymentLog log(initial, *store_);
    agent::deploy::ExecutorDeps deps{.docker = docker, .router = router_.get(), .store = *store_, .clock = host,
                                     .host = host, .config = config_};
    deps.open_access_log = [&](const std::string&) {
      return std::make_unique<ScriptedLog>(*this, log, on_poll);
    };
    auto result = agent::deploy::run_deployment(deps, log, app, env);
    record = log.snapshot(true);
    return result;
  }

  /// Runs a deployment of `version` that "crashes" at poll `n` of the log (SimulatedCrash):
  /// its record, the canary's row, the split and the containers stay as they were then.
  /// Returns the deployment's id.
  std::string run_until_crash(const std::string& version, int n) {
    try {
      run(version, [&](int poll, agent::deploy::DeploymentLog&) {
        if (poll == n) throw SimulatedCrash{};
      });
    } catch (const SimulatedCrash&) {
    }
    REQUIRE(store_->flush(std::chrono::seconds(5)));
    return "d-" + std::to_string(runs_);
  }

  /// resume_deployment for the recorded deployment `id` at the stored canary row, as a
  /// restarted agent's reconcile would start it, with the scripted log.
  DeploymentState resume(const std::string& id) {
    const auto& app = *config_.find_app("web");
    const auto& env = *app.find_environment("prod");
    auto stored = store_->load_deployment(id);
    REQUIRE(stored);
    auto canary = store_->load_canary("web", "prod");
    REQUIRE(canary);
    agent::deploy::DeploymentLog log(*stored, *store_);
    agent::deploy::ExecutorDeps deps{.docker = docker, .router = router_.get(), .store = *store_, .clock = host,
                                     .host = host, .config = config_};
    deps.open_access_log = [&](const std::string&) { return std::make_unique<ScriptedLog>(*this, log, nullptr); };
    auto result = agent::deploy::resume_deployment(deps, log, app, env, *canary);
    record = log.snapshot(true);
    return result;
  }

  void deploy_v1_and_add_v2(testing::FakeImageBehaviour v2 = {}) {
    docker.add_registry_image("r/web:v1");
    REQUIRE(run("v1") == DeploymentState::succeeded);
    docker.add_registry_image("r/web:v2", v2);
  }

  std::string address(const std::string& color) const {
    return docker.container("web-prod-api-" + color)->network_ips.at("platform") + ":3000";
  }
  std::string upstream() const {
    std::ifstream in(dir_.path() / "upstreams" / "web-prod-api.conf");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  agent::store::EnvState env_state() { return store_->load_env("web", "prod"); }
  agent::store::StateStore& store() { return *store_; }
  void write_upstream(const std::string& text) const {
    std::ofstream(dir_.path() / "upstreams" / "web-prod-api.conf") << text;
  }
  /// The manager over the same fake engine, store and nginx.
  std::unique_ptr<agent::deploy::DeploymentManager> manager() {
    return std::make_unique<agent::deploy::DeploymentManager>(
        agent::deploy::ManagerDeps{config_, docker, router_.get(), *store_, host, host});
  }
  std::optional<agent::store::CanaryState> canary_state() { return store_->load_canary("web", "prod"); }

  /// The data of the events whose data.event is `name`, in order.
  std::vector<nlohmann::json> events(const std::string& name) const {
    std::vector<nlohmann::json> out;
    for (const auto& e : record.events) {
      if (e.data.is_object() && e.data.value("event", "") == name) out.push_back(e.data);
    }
    return out;
  }

  testing::FakeDockerEngine docker;
  testing::FakeHost host;
  CountingNginx nginx;
  Traffic traffic;
  proto::Deployment record;
  std::vector<std::string> upstreams_seen;  // the upstream file at each poll

 private:
  /// Writes `traffic`'s lines at each poll, stamped with the fake wall clock.
  class ScriptedLog : public agent::canary::AccessLogSource {
   public:
    ScriptedLog(CanaryHarness& h, agent::deploy::DeploymentLog& log,
                std::function<void(int, agent::deploy::DeploymentLog&)> on_poll)
        : h_(h), log_(log), on_poll_(std::move(on_poll)) {}
    std::vector<std::string> poll() override {
      ++polls_;
      if (on_poll_) on_poll_(polls_, log_);
      h_.upstreams_seen.push_back(h_.upstream());
      auto now = static_cast<double>(h_.host.wall_now().time_since_epoch().count()) / 1000.0;
      std::vector<std::string> lines;
      auto line = [&](const std::string& address, int status, double seconds) {
        nlohmann::json j{{"time", now},
                         {"upstream_name", "web-prod-api"},
                         {"upstream_addr", address},
                         {"status", status},
                         {"upstream_status", std::to_string(status)},
                         {"request_time", seconds},
                         {"upstream_response_time", std::to_string(seconds)},
                         {"upstream_connect_time", "0.000"}};
        lines.push_back(j.dump());
      };
      for (int i = 0; i < h_.traffic.canary; ++i) {
        line(h_.address("green"), h_.traffic.canary_status(++canary_requests_), h_.traffic.canary_seconds);
      }
      for (int i = 0; i < h_.traffic.stable; ++i) line(h_.address("blue"), 200, h_.traffic.stable_seconds);
      return lines;
    }

   private:
    CanaryHarness& h_;
    agent::deploy::DeploymentLog& log_;
    std::function<void(int, agent::deploy::DeploymentLog&)> on_poll_;
    int polls_ = 0;
    int canary_requests_ = 0;
  };

  testing::TempDir dir_;
  agent::config::Config config_;
  std::unique_ptr<agent::store::StateStore> store_;
  std::unique_ptr<agent::router::UpstreamRouter> router_;
  int runs_ = 0;
};

bool has_server(const std::string& file, const std::string& address) {
  return file.find("server " + address) != std::string::npos;
}

}  // namespace

TEST_CASE("canary: a healthy canary passes each step and is promoted", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  auto reloads_before = h.nginx.reloads;
  auto blue = h.address("blue");  // before it stops
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  auto steps = h.events("canary_step");
  REQUIRE(steps.size() == 2);
  CHECK(steps[0]["weight"] == 10);
  CHECK(steps[1]["weight"] == 50);
  auto passed = h.events("canary_step_passed");
  REQUIRE(passed.size() == 2);
  for (const auto& p : passed) {
    CHECK(p["verdict"]["outcome"] == "pass");
    CHECK(p["verdict"]["canary"]["requests"].get<int>() >= 20);
    CHECK(p["elapsed_ms"].get<int>() >= 10000);
  }
  CHECK_FALSE(h.events("canary_window").empty());  // the periodic numbers
  // Both colors were in the upstream during the steps, at 10 and then 50 of 100 slots.
  auto split_at = [&](int weight) {
    for (const auto& file : h.upstreams_seen) {
      if (file.find("server " + h.address("green") + " weight=" + std::to_string(weight) + ";") != std::string::npos &&
          has_server(file, blue))
        return true;
    }
    return false;
  };
  CHECK(split_at(10));
  CHECK(split_at(50));
  CHECK(h.nginx.reloads - reloads_before == 3);  // two steps, then the full switch
  // Promoted: only green, the release recorded, blue stopped, no canary left in the store.
  CHECK(has_server(h.upstream(), h.address("green")));
  CHECK(h.upstream().find("hash ") == std::string::npos);
  CHECK(h.env_state().live->version == "v2");
  CHECK_FALSE(h.docker.container("web-prod-api-blue")->state.running);
  CHECK(h.record.analysis["state"] == "promoted");
  CHECK_FALSE(h.canary_state());
}

TEST_CASE("canary: a canary answering 500 too often is aborted in its first step", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  h.traffic.canary_status = [](int n) { return n % 5 == 0 ? 500 : 200; };  // 20% errors
  REQUIRE(h.run("v2") == DeploymentState::rolled_back);
  auto aborted = h.events("canary_aborted");
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0]["reason"] == "error_ratio");
  CHECK(aborted[0]["step"] == 1);
  CHECK(aborted[0]["weight"] == 10);
  CHECK(aborted[0]["elapsed_ms"].get<int>() < 10000);  // before the step's end
  CHECK(aborted[0]["verdict"]["outcome"] == "fail");
  CHECK(aborted[0]["verdict"]["canary"]["errors"].get<int>() >= 1);
  CHECK(aborted[0]["verdict"]["stable"]["errors"] == 0);
  // The record keeps the numbers; nginx sends everything to blue; green is gone.
  CHECK(h.record.analysis["state"] == "aborted");
  CHECK(h.record.analysis["reason"] == "error_ratio");
  CHECK(h.record.analysis["verdict"]["canary"]["errors"] == aborted[0]["verdict"]["canary"]["errors"]);
  CHECK(h.events("canary_step").size() == 1);
  CHECK(has_server(h.upstream(), h.address("blue")));
  CHECK(h.upstream().find("hash ") == std::string::npos);
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.docker.container("web-prod-api-blue")->state.running);
  CHECK_FALSE(h.canary_state());
}

TEST_CASE("canary: a slow canary below min_requests is not judged early", "[executor][canary]") {
  CanaryHarness h("{ min_requests: 500, max_p95_ratio: 2.0 }");
  h.deploy_v1_and_add_v2();
  h.traffic.canary_seconds = 1.0;  // 100x slower than stable, but never min_requests tries
  REQUIRE(h.run("v2") == DeploymentState::rolled_back);
  auto aborted = h.events("canary_aborted");
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0]["reason"] == "not_enough_data");  // never p95_ratio
  CHECK(aborted[0]["verdict"]["p95_compared"] == false);
  CHECK(aborted[0]["elapsed_ms"].get<int>() >= 20000);  // held to twice the step, then given up
  CHECK(h.events("canary_step_passed").empty());
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("canary: a slow canary with min_requests is aborted on p95", "[executor][canary]") {
  CanaryHarness h("{ min_requests: 20, max_p95_ratio: 2.0 }");
  h.deploy_v1_and_add_v2();
  h.traffic.canary_seconds = 0.100;  // 10x stable's
  REQUIRE(h.run("v2") == DeploymentState::rolled_back);
  auto aborted = h.events("canary_aborted");
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0]["reason"] == "p95_ratio");
  CHECK(aborted[0]["verdict"]["p95_ratio"].get<double>() > 2.0);
  CHECK(aborted[0]["elapsed_ms"].get<int>() < 10000);
}

TEST_CASE("canary: a cancel mid-step puts all traffic back on the stable color", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  REQUIRE(h.run("v2", [](int n, agent::deploy::DeploymentLog& log) {
    if (n == 10) log.request_cancel();
  }) == DeploymentState::cancelled);
  CHECK(h.record.error.find("during the canary") != std::string::npos);
  CHECK(h.record.analysis["state"] == "cancelled");
  CHECK(has_server(h.upstream(), h.address("blue")));
  CHECK(h.upstream().find("hash ") == std::string::npos);
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.env_state().in_flight_id.empty());
  CHECK_FALSE(h.canary_state());
}

TEST_CASE("canary: an operator's promote skips the steps, an abort rolls back", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  SECTION("promote") {
    REQUIRE(h.run("v2", [](int n, agent::deploy::DeploymentLog& log) {
      if (n == 3) log.request_canary(agent::deploy::CanaryCommand::promote);
    }) == DeploymentState::succeeded);
    CHECK(h.events("canary_step").size() == 1);
    REQUIRE(h.events("canary_promoted").size() == 1);
    CHECK(h.env_state().live->version == "v2");
  }
  SECTION("abort") {
    REQUIRE(h.run("v2", [](int n, agent::deploy::DeploymentLog& log) {
      if (n == 3) log.request_canary(agent::deploy::CanaryCommand::abort);
    }) == DeploymentState::rolled_back);
    REQUIRE(h.events("canary_aborted").size() == 1);
    CHECK(h.events("canary_aborted")[0]["reason"] == "operator");
    CHECK(h.env_state().live->version == "v1");
    CHECK_FALSE(h.docker.container("web-prod-api-green"));
  }
}

TEST_CASE("canary: the store keeps the step while it runs", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  std::optional<agent::store::CanaryState> seen;
  REQUIRE(h.run("v2", [&](int n, agent::deploy::DeploymentLog&) {
    if (n == 60) seen = h.canary_state();  // 12 s in: the second step
  }) == DeploymentState::succeeded);
  REQUIRE(seen);
  CHECK(seen->step == 1);
  CHECK(seen->weight == 50);
  CHECK(seen->canary_color == "green");
  CHECK(seen->stable_color == "blue");
  CHECK(seen->steps == 2);
  CHECK_FALSE(h.canary_state());
}

TEST_CASE("canary: an agent restart mid-canary puts the traffic back on the stable color", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  // What a crash at the 5th poll of step 1 leaves: the split file, the env state with the
  // deployment in flight and the canary's row. Here the canary's container is gone too
  // (the run goes on to an abort, which removes it): the "canary color gone" case.
  std::string split;
  agent::store::EnvState in_flight;
  std::optional<agent::store::CanaryState> canary;
  REQUIRE(h.run("v2", [&](int n, agent::deploy::DeploymentLog& log) {
    if (n != 5) return;
    split = h.upstream();
    in_flight = h.env_state();
    canary = h.canary_state();
    log.request_canary(agent::deploy::CanaryCommand::abort);
  }) == DeploymentState::rolled_back);
  REQUIRE(canary);
  REQUIRE(split.find("hash ") != std::string::npos);
  auto blue = h.address("blue");
  h.write_upstream(split);
  h.store().save_env("web", "prod", in_flight);
  h.store().save_canary("web", "prod", *canary);
  auto manager = h.manager();
  auto notes = manager->reconcile();
  CHECK_FALSE(h.canary_state());
  CHECK(h.upstream().find("hash ") == std::string::npos);
  CHECK(has_server(h.upstream(), blue));
  CHECK(h.env_state().in_flight_id.empty());
  CHECK(h.env_state().live->version == "v1");
  bool noted = false;
  for (const auto& note : notes) noted = noted || note.find("canary of deployment " + canary->deployment_id) != std::string::npos;
  CHECK(noted);
}

TEST_CASE("canary: a restart mid-step resumes that step and promotes the canary", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  auto id = h.run_until_crash("v2", 60);  // 12 s in: step 2 at 50%
  auto canary = h.canary_state();
  REQUIRE(canary);
  CHECK(canary->step == 1);
  REQUIRE(canary->resume);
  CHECK_FALSE(canary->resume->images.at(0).digest.empty());
  CHECK(h.store().load_deployment(id)->state == DeploymentState::running);
  CHECK(h.upstream().find("hash ") != std::string::npos);  // still split

  REQUIRE(h.resume(id) == DeploymentState::succeeded);
  auto resumed = h.events("canary_resumed");
  REQUIRE(resumed.size() == 1);
  CHECK(resumed[0]["step"] == 2);
  CHECK(resumed[0]["weight"] == 50);
  // Step 2 ran again, then the full switch: the release is recorded with the images the
  // canary ran, and the record's analysis never carries the store's resume data.
  auto steps = h.events("canary_step");
  REQUIRE(steps.size() == 3);  // 1 and 2 before the crash, 2 again
  CHECK(steps.back()["step"] == 2);
  CHECK(h.events("canary_step_passed").back()["step"] == 2);
  CHECK(h.record.analysis["state"] == "promoted");
  CHECK(h.record.analysis.count("resume") == 0);
  auto state = h.env_state();
  CHECK(state.live_color == "green");
  CHECK(state.live->version == "v2");
  CHECK(state.live->deployment_id == id);
  CHECK(state.live->images.at(0).digest == canary->resume->images.at(0).digest);
  CHECK(state.in_flight_id.empty());
  CHECK(has_server(h.upstream(), h.address("green")));
  CHECK(h.upstream().find("hash ") == std::string::npos);
  CHECK_FALSE(h.canary_state());
}

TEST_CASE("canary: after a restart reconcile resumes a canary whose colors both run", "[executor][canary]") {
  CanaryHarness h;
  h.deploy_v1_and_add_v2();
  auto id = h.run_until_crash("v2", 5);  // step 1 at 10%
  auto split = h.upstream();
  REQUIRE(split.find("hash ") != std::string::npos);
  auto manager = h.manager();
  auto notes = manager->reconcile();
  bool noted = false;
  for (const auto& note : notes) noted = noted || note.find(id + " of web/prod resumes its canary at step 1") != std::string::npos;
  CHECK(noted);
  // Not interrupted: the manager runs it again. (Its access log here is a file nobody
  // writes, so with no requests it ends on not_enough_data, as a real quiet canary would.)
  std::optional<proto::Deployment> ended;
  for (int i = 0; i < 500 && !ended; ++i) {  // 10 s at most
    auto d = manager->deployment(id);
    if (auto* found = std::get_if<proto::Deployment>(&d); found && found->ended_at) ended = *found;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(ended);
  CHECK(ended->state == DeploymentState::rolled_back);
  bool resumed = false;
  auto stored = h.store().load_deployment(id);
  REQUIRE(stored);
  for (const auto& e : stored->events) {
    resumed = resumed || (e.data.is_object() && e.data.value("event", "") == "canary_resumed");
  }
  CHECK(resumed);
  CHECK(h.env_state().live->version == "v1");
  CHECK(has_server(h.upstream(), h.address("blue")));
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK_FALSE(h.canary_state());
}
