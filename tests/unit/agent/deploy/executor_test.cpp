// The executor against a FakeDockerEngine and a scripted nginx: each step fails in turn,
// and each test asserts the Docker calls made, the upstream file left and the state saved.
#include "agent/deploy/deployment_run.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include <future>
#include <thread>

#include "agent/deploy/deployment_manager.hpp"
#include "agent/deploy/naming.hpp"
#include "agent/router/maintenance.hpp"
#include "agent/store/atomic_file.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/fake_docker_engine.hpp"
#include "tests/support/fake_host.hpp"
#include "tests/support/test_env.hpp"

using namespace fical;
using agent::docker::DockerError;
using agent::docker::DockerErrorKind;
using proto::DeploymentKind;
using proto::DeploymentState;

namespace {

/// nginx as the router sees it: `nginx -t` and reloads that pass or fail on cue.
class ScriptedNginx : public agent::router::NginxControl {
 public:
  int tests = 0, reloads = 0;
  int fail_test_number = 0;  // the Nth `nginx -t` fails (1-based); 0: none
  bool fail_reload = false;
  void test() override {
    ++tests;
    if (tests == fail_test_number) throw agent::router::RouterError("nginx: [emerg] scripted failure\nnginx: test failed");
  }
  void reload() override {
    ++reloads;
    if (fail_reload) throw agent::router::RouterError("scripted reload failure");
  }
};

/// One app `web` with env `prod` on the Docker network `platform`: service `api` (port
/// 3000, Docker HEALTHCHECK, a migration); with `env_file`, web.env (TOKEN=one) beside it.
class Harness {
 public:
  /// `env_options`: more keys of env prod (YAML, one line each), e.g. "keep_warm: 1ms";
  /// `nginx_options`: more keys of the nginx flow map, e.g. ", verify_url: http://127.0.0.1:18080";
  /// `env_file`: env prod reads web.env (TOKEN=one).
  explicit Harness(const std::string& env_options = "", const std::string& nginx_options = "",
                   bool env_file = false) {
    std::string env_file_line;
    if (env_file) {
      std::ofstream(env_path()) << "TOKEN=one\n";
      env_file_line = "        env_file: " + env_path().string() + "\n";
    }
    std::string more;
    for (std::size_t at = 0; at < env_options.size();) {
      auto end = env_options.find('\n', at);
      if (end == std::string::npos) end = env_options.size();
      more += "        " + env_options.substr(at, end - at) + "\n";
      at = end + 1;
    }
    auto parsed = agent::config::parse_config(R"(
state_dir: )" + (dir_.path() / "state").string() + R"(
docker: { min_free_disk_mb: 0 }
nginx: { upstream_dir: )" + (dir_.path() / "upstreams").string() + nginx_options + R"( }
apps:
  web:
    environments:
      prod:
        network: platform
)" + env_file_line + R"(        drain: 1ms
        stop_timeout: 1s
)" + more + R"(        services:
          api:
            image: r/web
            port: 3000
            health: { docker: true, deadline: 2s, interval: 10ms, max_interval: 20ms }
            migrate: { command: [/app/migrate.sh], timeout: 5s }
            volumes: [data:/data]
)");
    REQUIRE(parsed.config);
    config_ = *parsed.config;
    std::filesystem::create_directories(dir_.path() / "upstreams");
    store_ = std::make_unique<agent::store::StateStore>(config_.state_dir);
    router_ = std::make_unique<agent::router::UpstreamRouter>(dir_.path() / "upstreams", nginx);
  }

  /// Runs a deployment as the manager's thread does (facts, plan, executor); `cancel_in`:
  /// cancel it on its first Docker call in that phase.
  DeploymentState run(const std::string& version, DeploymentKind kind = DeploymentKind::deploy,
                      bool cancel_first = false, std::optional<proto::Phase> cancel_in = std::nullopt,
                      bool current_env = false) {
    const auto& app = *config_.find_app("web");
    const auto& env = *app.find_environment("prod");
    auto id = "d-" + std::to_string(++runs_);
    proto::Deployment initial;
    initial.id = id;
    initial.app = "web";
    initial.env = "prod";
    initial.kind = kind;
    initial.version = version;
    initial.created_at = proto::now_ms();
    if (kind == DeploymentKind::rollback) initial.env_source = current_env ? "current" : "recorded";
    agent::deploy::DeploymentLog log(initial, *store_);
    if (cancel_first) log.request_cancel();
    if (cancel_in) {
      docker.on_call = [&](const std::string&) {
        if (log.current_phase() == *cancel_in) log.request_cancel();
      };
    }
    agent::deploy::ExecutorDeps deps{
        .docker = docker, .router = router_.get(), .store = *store_, .clock = host, .host = host, .config = config_};
    auto result = agent::deploy::run_deployment(deps, log, app, env);
    docker.on_call = nullptr;
    record = log.snapshot(true);
    return result;
  }

  std::string upstream() const {
    std::ifstream in(dir_.path() / "upstreams" / "web-prod-api.conf");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  agent::store::EnvState env_state() { return store_->load_env("web", "prod"); }
  void save_env_state(const agent::store::EnvState& state) { store_->save_env("web", "prod", state); }
  std::filesystem::path env_path() const { return dir_.path() / "web.env"; }
  /// The manager over the same fake engine, store and nginx.
  std::unique_ptr<agent::deploy::DeploymentManager> manager() {
    return std::make_unique<agent::deploy::DeploymentManager>(
        agent::deploy::ManagerDeps{config_, docker, router_.get(), *store_, host, host});
  }
  std::vector<proto::Release> releases() { return store_->load_releases("web", "prod"); }
  std::filesystem::path state_dir() const { return config_.state_dir; }
  agent::router::UpstreamRouter& router() { return *router_; }
  std::filesystem::path upstream_dir() const { return dir_.path() / "upstreams"; }
  /// Deploys v1 and clears the call log's meaning: what follows is the test's.
  void deploy_v1() {
    docker.add_registry_image("r/web:v1");
    REQUIRE(run("v1") == DeploymentState::succeeded);
  }

  testing::FakeDockerEngine docker;
  testing::FakeHost host;  // also the clock: time passes only when the engine sleeps
  ScriptedNginx nginx;
  proto::Deployment record;

 private:
  testing::TempDir dir_;
  agent::config::Config config_;
  std::unique_ptr<agent::store::StateStore> store_;
  std::unique_ptr<agent::router::UpstreamRouter> router_;
  int runs_ = 0;
};

bool has(const std::vector<std::string>& calls, const std::string& call) {
  return std::find(calls.begin(), calls.end(), call) != calls.end();
}

/// A container was renamed to `name` ("rename <id> <name>").
bool renamed_to(const std::vector<std::string>& calls, const std::string& name) {
  return std::any_of(calls.begin(), calls.end(), [&](const std::string& call) {
    return call.rfind("rename ", 0) == 0 && call.size() > name.size() &&
           call.compare(call.size() - name.size() - 1, std::string::npos, " " + name) == 0;
  });
}

}  // namespace

TEST_CASE("executor: a first deploy pulls, migrates, starts and routes to the container's address",
          "[executor]") {
  Harness h;
  h.docker.add_registry_image("r/web:v1");
  REQUIRE(h.run("v1") == DeploymentState::succeeded);
  auto calls = h.docker.calls();
  CHECK(has(calls, "pull r/web:v1"));
  CHECK(has(calls, "run_once web-prod-api-migrate-d-1"));
  // Created under a staging name while the migration ran, renamed as it starts.
  CHECK(has(calls, "create web-prod-api-blue--d-1"));
  CHECK(renamed_to(calls, "web-prod-api-blue"));
  CHECK(has(calls, "start web-prod-api-blue"));
  CHECK_FALSE(h.docker.container("web-prod-api-blue--d-1"));
  auto ip = h.docker.container("web-prod-api-blue")->network_ips.at("platform");
  CHECK(h.upstream().find("server " + ip + ":3000;") != std::string::npos);
  CHECK(h.env_state().live_color == "blue");
  CHECK(h.env_state().in_flight_id.empty());
  REQUIRE(h.releases().size() == 1);
  CHECK(h.releases()[0].images.at(0).digest == "sha256:digest-v1");
  CHECK(h.releases()[0].specs.at("api").volumes.at(0).target == "/data");
  CHECK(h.nginx.reloads == 1);
}

TEST_CASE("executor: a pull error fails before anything starts or changes", "[executor]") {
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  REQUIRE(h.run("v2") == DeploymentState::failed);  // r/web:v2 is not in the registry
  CHECK(h.record.error.find("pull of r/web:v2 failed") != std::string::npos);
  nlohmann::json failure;
  for (const auto& e : h.record.events) {
    if (e.level == proto::EventLevel::error) failure = e.data;
  }
  CHECK(failure.value("reason", "") == "pull_failed");
  CHECK(failure.value("image", "") == "r/web:v2");
  CHECK(h.docker.calls_starting("create web-prod-api-green").empty());
  CHECK(h.upstream() == upstream);
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.env_state().in_flight_id.empty());
  CHECK(h.record.previous_serving);
}

TEST_CASE("executor: a failing or hanging migration starts nothing and keeps the retained container",
          "[executor]") {
  Harness h;
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);  // v1 is retained on blue, stopped
  REQUIRE(h.docker.container("web-prod-api-blue"));
  testing::FakeImageBehaviour behaviour;
  SECTION("non-zero exit") { behaviour.run_exit_code = 3; }
  SECTION("timeout") { behaviour.run_times_out = true; }
  h.docker.add_registry_image("r/web:v3", behaviour);
  auto before = h.docker.calls().size();
  REQUIRE(h.run("v3") == DeploymentState::failed);
  CHECK(h.record.phase == proto::Phase::migrate);
  auto all = h.docker.calls();
  std::vector<std::string> calls(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  CHECK(has(calls, "remove web-prod-api-blue--d-3"));  // created beside the migration, removed
  CHECK_FALSE(h.docker.container("web-prod-api-blue--d-3"));
  CHECK_FALSE(renamed_to(calls, "web-prod-api-blue"));
  auto retained = h.docker.container("web-prod-api-blue");  // v1's, for a quick rollback
  REQUIRE(retained);
  CHECK(retained->labels.at("fical.release") == "v1");
  CHECK(h.docker.container("web-prod-api-green")->state.running);
  CHECK(h.env_state().live->version == "v2");
}

TEST_CASE("executor: create and start failures remove what was made, the old color serves", "[executor]") {
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2");
  SECTION("create answers 409") {
    h.docker.fail_next("create web-prod-api-green",
                       DockerError(DockerErrorKind::http, "409 name in use", 409));
    REQUIRE(h.run("v2") == DeploymentState::failed);
    CHECK_FALSE(h.docker.container("web-prod-api-green"));
  }
  SECTION("start fails") {
    h.docker.fail_next("start web-prod-api-green", DockerError(DockerErrorKind::http, "500 cannot start", 500));
    REQUIRE(h.run("v2") == DeploymentState::failed);
    CHECK(has(h.docker.calls(), "remove web-prod-api-green"));
    CHECK_FALSE(h.docker.container("web-prod-api-green"));
  }
  CHECK(h.record.phase == proto::Phase::start);
  CHECK(h.docker.calls_starting("stop web-prod-api-blue").empty());
  CHECK(h.upstream() == upstream);
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("executor: a container that exits or turns unhealthy fails the health gate", "[executor]") {
  Harness h;
  h.deploy_v1();
  testing::FakeImageBehaviour behaviour;
  std::string reason;
  SECTION("exits") {
    behaviour.exits = 1;
    reason = "exited with code 1";
  }
  SECTION("exits and Docker restarts it: the code comes from its die event") {
    behaviour.exits = 3;
    behaviour.restarted = true;
    reason = "exited with code 3 and was restarted 1 time(s)";
  }
  SECTION("unhealthy") {
    behaviour.health = "unhealthy";
    reason = "unhealthy";
  }
  h.docker.add_registry_image("r/web:v2", behaviour);
  REQUIRE(h.run("v2") == DeploymentState::failed);
  CHECK(h.record.phase == proto::Phase::health);
  CHECK(h.record.error.find(reason) != std::string::npos);
  CHECK(h.record.error.find("v1 still serves") != std::string::npos);
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.docker.container("web-prod-api-blue")->state.running);
  CHECK(h.nginx.reloads == 1);  // only v1's switch
}

TEST_CASE("executor: nginx refusing the switch or the reload restores the upstream file", "[executor]") {
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2");
  SECTION("nginx -t fails") { h.nginx.fail_test_number = h.nginx.tests + 2; }  // preflight passes
  SECTION("reload fails") { h.nginx.fail_reload = true; }
  REQUIRE(h.run("v2") == DeploymentState::failed);
  CHECK(h.record.phase == proto::Phase::switch_traffic);
  CHECK(h.upstream() == upstream);
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("executor: a container already gone when retiring does not fail the deploy", "[executor]") {
  Harness h;
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  h.docker.remove_by_hand("web-prod-api-blue");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  CHECK(h.env_state().live->version == "v2");
  CHECK(h.env_state().live_color == "green");
  CHECK(has(h.docker.calls(), "stop web-prod-api-blue"));
  int retired = 0;
  for (const auto& event : h.record.events) {
    if (event.phase != proto::Phase::retire) continue;
    ++retired;
    CHECK(event.level == proto::EventLevel::info);  // gone is stopped: no tidy-up warning
  }
  CHECK(retired > 0);
}

TEST_CASE("keep_warm housekeeping never keeps an env from the next deploy", "[executor][manager][lease]") {
  Harness h("keep_warm: 1ms");
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  REQUIRE(h.env_state().warm_color == "blue");
  auto manager = h.manager();
  manager->reconcile();
  h.host.sleep_for(std::chrono::milliseconds(5));  // the 1 ms window has passed
  SECTION("the warm container was removed by hand (Docker: 404)") {
    h.docker.remove_by_hand("web-prod-api-blue");
    manager->retire_expired_warm_colors();
    CHECK_FALSE(h.env_state().warm_until);
    CHECK(h.env_state().warm_color.empty());
  }
  SECTION("stopping it fails") {
    h.docker.fail_next("stop web-prod-api-blue", DockerError(DockerErrorKind::http, "500 daemon error", 500));
    CHECK_THROWS_AS(manager->retire_expired_warm_colors(), DockerError);
  }
  agent::DeployCommand command;
  command.app = "web";
  command.env = "prod";
  command.request.version = "v3";
  h.docker.add_registry_image("r/web:v3");
  auto answer = manager->deploy(command);
  REQUIRE(std::holds_alternative<proto::Deployment>(answer));  // not 409 "keep-warm-expiry is running"
  auto id = std::get<proto::Deployment>(answer).id;
  CHECK(testing::eventually(
      [&] {
        auto found = manager->deployment(id);
        return std::holds_alternative<proto::Deployment>(found) &&
               proto::is_terminal(std::get<proto::Deployment>(found).state);
      },
      std::chrono::seconds(10)));
}

TEST_CASE("executor: with the live color stopped by hand, a deploy says nothing serves and brings it back",
          "[executor]") {
  Harness h;
  h.deploy_v1();
  h.docker.stop_by_hand("web-prod-api-blue");
  h.docker.add_registry_image("r/web:v2", {"unhealthy", {}, 0, false});
  REQUIRE(h.run("v2") == DeploymentState::failed);
  CHECK_FALSE(h.record.previous_serving);
  CHECK(h.record.error.find("nothing serves web/prod") != std::string::npos);
  h.docker.add_registry_image("r/web:v3");
  REQUIRE(h.run("v3") == DeploymentState::succeeded);
  auto ip = h.docker.container("web-prod-api-green")->network_ips.at("platform");
  CHECK(h.upstream().find("server " + ip + ":3000;") != std::string::npos);
}

TEST_CASE("executor: a rollback restarts the retained container and pulls nothing", "[executor]") {
  Harness h;
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  auto pulls = h.docker.calls_starting("pull ").size();
  REQUIRE(h.run("v1", DeploymentKind::rollback) == DeploymentState::succeeded);
  CHECK(h.docker.calls_starting("pull ").size() == pulls);
  CHECK(h.docker.calls_starting("run_once").size() == 2);  // no migration on a rollback
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.env_state().live_color == "blue");
  CHECK(h.docker.container("web-prod-api-blue")->state.running);
}

TEST_CASE("executor: a rollback whose image is gone here and in the registry says why", "[executor]") {
  Harness h;
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  auto upstream = h.upstream();
  // Removed by hand: v1's retained container and image; the fake registry has no digest refs.
  h.docker.remove_container("web-prod-api-blue", true);
  h.docker.remove_image("r/web:v1", true);
  REQUIRE(h.run("v1", DeploymentKind::rollback) == DeploymentState::failed);
  CHECK(h.record.phase == proto::Phase::pull);
  nlohmann::json failure;
  for (const auto& e : h.record.events) {
    if (e.level == proto::EventLevel::error) failure = e.data;
  }
  CHECK(failure.value("reason", "") == "pull_failed");
  CHECK(failure.value("image", "") == "r/web@sha256:digest-v1");  // the digest it ran, not the tag
  CHECK(h.docker.calls_starting("create web-prod-api-blue").size() == 1);  // only v1's first deploy
  CHECK(h.upstream() == upstream);
  CHECK(h.env_state().live->version == "v2");
  CHECK(h.docker.container("web-prod-api-green")->state.running);
}

TEST_CASE("executor: a deployment cancelled before it starts changes nothing", "[executor]") {
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2", DeploymentKind::deploy, true) == DeploymentState::cancelled);
  CHECK(h.docker.calls_starting("pull r/web:v2").empty());
  CHECK(h.docker.calls_starting("create web-prod-api-green").empty());
  CHECK(h.upstream() == upstream);
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("a dry run waiting on a hung registry holds up no status, events or health answer",
          "[executor][manager]") {
  Harness h;
  h.deploy_v1();
  std::promise<void> release_registry;
  auto registry = release_registry.get_future().share();
  std::atomic<bool> asked{false};
  h.docker.before_distribution = [&](const std::string&) {
    asked = true;
    registry.wait_for(std::chrono::seconds(30));
  };
  auto manager = h.manager();
  manager->reconcile();  // deployments are refused until it ran
  agent::DeployCommand command;
  command.app = "web";
  command.env = "prod";
  command.request.version = "v2";
  command.request.dry_run = true;
  auto dry = std::async(std::launch::async, [&] { return manager->deploy(command); });
  REQUIRE(testing::eventually([&] { return asked.load(); }, std::chrono::seconds(5)));
  auto started = std::chrono::steady_clock::now();
  auto status = manager->env_status("web", "prod");
  auto apps = manager->apps();
  auto history = manager->deployments("web", "prod", 5);
  auto healthy = manager->health().docker;
  auto took = std::chrono::steady_clock::now() - started;
  release_registry.set_value();
  auto answer = dry.get();
  CHECK(took < std::chrono::milliseconds(50));
  REQUIRE(std::holds_alternative<proto::EnvStatus>(status));
  CHECK(std::get<proto::EnvStatus>(status).live->version == "v1");
  CHECK(apps.size() == 1);
  CHECK(std::holds_alternative<std::vector<proto::Deployment>>(history));
  CHECK(healthy);
  REQUIRE(std::holds_alternative<proto::Deployment>(answer));
  CHECK(std::get<proto::Deployment>(answer).dry_run);
}

namespace {

/// Asks the manager for a rollback to v1, first as a dry run, then for real; returns both
/// records once the real one ended.
std::pair<proto::Deployment, proto::Deployment> dry_then_real_rollback(Harness& h, bool current_env) {
  auto manager = h.manager();
  manager->reconcile();
  agent::RollbackCommand command{"web", "prod", {"v1", true, current_env}, {"test", "127.0.0.1"}, ""};
  auto dry = manager->rollback(command);
  REQUIRE(std::holds_alternative<proto::Deployment>(dry));
  command.request.dry_run = false;
  auto started = manager->rollback(command);
  REQUIRE(std::holds_alternative<proto::Deployment>(started));
  auto id = std::get<proto::Deployment>(started).id;
  proto::Deployment real;
  REQUIRE(testing::eventually(
      [&] {
        real = std::get<proto::Deployment>(manager->deployment(id));
        return proto::is_terminal(real.state);
      },
      std::chrono::seconds(10)));
  return {std::get<proto::Deployment>(dry), real};
}

}  // namespace

TEST_CASE("executor: a rollback's dry run shows the very plan the rollback records and runs",
          "[executor][planner]") {
  Harness h("", "", true);
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  std::ofstream(h.env_path()) << "TOKEN=two\n";  // today's env differs from v1's
  std::string action;
  bool current_env = false;
  SECTION("the retained container is restarted with the env it ran with") { action = "restart_retained"; }
  SECTION("removed by hand, it is created from the recorded digest") {
    h.docker.remove_container("web-prod-api-blue", true);
    action = "create";
  }
  SECTION("with current_env, it is recreated with today's env") {
    current_env = true;
    action = "create";
  }
  auto [dry, real] = dry_then_real_rollback(h, current_env);
  INFO(dry.plan.dump(2));
  INFO(real.plan.dump(2));
  REQUIRE(real.state == DeploymentState::succeeded);
  CHECK(dry.dry_run);
  auto shown = dry.plan;
  shown.erase("pull");  // the dry run's previews of the registry and the env, beside the plan
  shown.erase("env");
  CHECK(shown == real.plan);
  const auto& api = real.plan["containers"][0];
  CHECK(api["image"] == "r/web@sha256:digest-v1");
  CHECK(api["action"] == action);
  CHECK(api["env_source"] == (current_env ? "current" : "recorded"));
  CHECK(real.plan["rollback"]["env_changed"] == true);
  // The executor did what the plan says.
  auto creates = h.docker.calls_starting("create web-prod-api-blue").size();
  CHECK(creates == (action == "create" ? 2u : 1u));
  CHECK(h.docker.container("web-prod-api-blue")->state.running);
  auto blue = h.docker.container("web-prod-api-blue");
  CHECK(blue->image_ref == (action == "create" ? "r/web@sha256:digest-v1" : "r/web:v1"));
  CHECK(has(blue->env, current_env ? "TOKEN=two" : "TOKEN=one"));
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("executor: a rollback inside keep_warm only switches, as its plan says", "[executor][planner]") {
  Harness h;
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  // keep_warm without a config change: the env state says blue stays warm.
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  auto state = h.env_state();
  h.docker.start_container("web-prod-api-blue");
  state.warm_color = "blue";
  state.warm_until = proto::now_ms() + std::chrono::minutes(5);
  h.save_env_state(state);
  auto [dry, real] = dry_then_real_rollback(h, false);
  REQUIRE(real.state == DeploymentState::succeeded);
  auto shown = dry.plan;
  shown.erase("pull");
  shown.erase("env");
  CHECK(shown == real.plan);
  CHECK(real.plan["reuse_warm_containers"] == true);
  CHECK(real.plan["containers"][0]["action"] == "reuse_warm");
  CHECK(h.docker.calls_starting("create web-prod-api-blue").size() == 1);  // v1's only
  CHECK(h.docker.calls_starting("start web-prod-api-blue").size() == 2);   // v1's, and the test's
  CHECK(h.env_state().live_color == "blue");
}

TEST_CASE("executor: Docker failing while the facts are gathered fails the deployment before any change",
          "[executor][planner]") {
  Harness h;
  h.deploy_v1();
  h.docker.add_registry_image("r/web:v2");
  auto upstream = h.upstream();
  h.docker.fail_next("inspect web-prod-api-green", DockerError(DockerErrorKind::unreachable, "Docker is down", 0));
  REQUIRE(h.run("v2") == DeploymentState::failed);
  CHECK(h.record.phase == proto::Phase::preflight);
  CHECK(h.record.error.find("Docker is down") != std::string::npos);
  CHECK(h.record.plan.is_null());  // no plan was made
  CHECK(h.docker.calls_starting("pull r/web:v2").empty());
  CHECK(h.docker.calls_starting("create web-prod-api-green").empty());
  CHECK(h.upstream() == upstream);
  CHECK(h.env_state().in_flight_id.empty());
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("executor: verify failing through nginx switches back and retires the new color", "[executor]") {
  Harness h("", ", verify_url: http://127.0.0.1:18080");
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2");
  h.host.answer = [](const std::string&, std::uint16_t port, const std::string&) {
    agent::deploy::HttpProbeResult answer;
    answer.status = port == 18080 ? 500 : 200;  // nginx answers 500 through the new color
    return answer;
  };
  auto slept = h.host.elapsed();
  REQUIRE(h.run("v2") == DeploymentState::rolled_back);
  CHECK(h.record.phase == proto::Phase::switch_traffic);  // the way back
  CHECK(h.host.elapsed() - slept >= std::chrono::milliseconds(3000));  // verify's deadline, on the fake clock
  CHECK(has(h.host.probes(), "GET 127.0.0.1:18080/"));
  CHECK(has(h.docker.calls(), "remove web-prod-api-green"));
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.docker.container("web-prod-api-blue")->state.running);
  CHECK(h.upstream() == upstream);
  CHECK(h.nginx.reloads == 3);  // v1, v2's switch, the switch back
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.env_state().live_color == "blue");
  CHECK(h.env_state().in_flight_id.empty());
  CHECK(h.releases().size() == 1);
}

TEST_CASE("executor: a container never healthy times out on the clock, not in real time", "[executor]") {
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2", {"starting", {}, 0, false});
  auto slept = h.host.elapsed();
  auto started = std::chrono::steady_clock::now();
  REQUIRE(h.run("v2") == DeploymentState::failed);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  CHECK(h.host.elapsed() - slept >= std::chrono::seconds(2));  // health.deadline
  CHECK(h.record.phase == proto::Phase::health);
  auto failure = std::find_if(h.record.events.rbegin(), h.record.events.rend(),
                              [](const proto::Event& e) { return e.level == proto::EventLevel::error; });
  REQUIRE(failure != h.record.events.rend());
  CHECK(failure->data.value("service", "") == "api");
  CHECK(failure->data.value("probes", 0) > 2);
  CHECK(has(h.docker.calls(), "remove web-prod-api-green"));
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.upstream() == upstream);
  CHECK(h.nginx.reloads == 1);
  CHECK(h.env_state().live->version == "v1");
}

TEST_CASE("executor: too little free disk fails the preflight before anything changes", "[executor]") {
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2");
  h.host.free[h.state_dir().string()] = 1 << 20;  // 1 MiB
  auto calls = h.docker.calls().size();
  REQUIRE(h.run("v2") == DeploymentState::failed);
  CHECK(h.record.phase == proto::Phase::preflight);
  auto after = h.docker.calls();
  std::vector<std::string> made(after.begin() + static_cast<std::ptrdiff_t>(calls), after.end());
  for (const auto& call : made) {
    CHECK((call.rfind("inspect", 0) == 0 || call.rfind("list_containers", 0) == 0));  // looked, changed nothing
  }
  CHECK(h.upstream() == upstream);
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.env_state().in_flight_id.empty());
}

TEST_CASE("executor: a cancel in any phase before the switch stops at the next safe point", "[executor]") {
  auto phase = GENERATE(proto::Phase::preflight, proto::Phase::pull, proto::Phase::migrate, proto::Phase::start,
                        proto::Phase::health);
  CAPTURE(proto::to_string(phase));
  Harness h;
  h.deploy_v1();
  auto upstream = h.upstream();
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2", DeploymentKind::deploy, false, phase) == DeploymentState::cancelled);
  auto calls = h.docker.calls();
  bool pulled = has(calls, "pull r/web:v2");
  bool migrated = has(calls, "run_once web-prod-api-migrate-d-2");
  bool staged = has(calls, "create web-prod-api-green--d-2");  // beside the migration
  bool started = has(calls, "start web-prod-api-green");
  CHECK(pulled == (phase != proto::Phase::preflight));
  CHECK(migrated == (phase != proto::Phase::preflight && phase != proto::Phase::pull));
  CHECK(staged == migrated);
  CHECK(started == (phase == proto::Phase::start || phase == proto::Phase::health));
  CHECK(has(calls, "remove web-prod-api-green--d-2") == (phase == proto::Phase::migrate));
  CHECK(has(calls, "remove web-prod-api-green") == started);
  CHECK_FALSE(h.docker.container("web-prod-api-green--d-2"));
  CHECK_FALSE(h.docker.container("web-prod-api-green"));
  CHECK(h.docker.container("web-prod-api-blue")->state.running);
  CHECK(h.upstream() == upstream);
  CHECK(h.nginx.reloads == 1);
  CHECK(h.env_state().live->version == "v1");
  CHECK(h.env_state().in_flight_id.empty());
  CHECK(h.releases().size() == 1);
}

TEST_CASE("status and health say what the agent does not know instead of guessing", "[manager]") {
  Harness h;
  h.deploy_v1();
  auto manager = h.manager();
  auto status = [&] {
    auto answer = manager->env_status("web", "prod");
    REQUIRE(std::holds_alternative<proto::EnvStatus>(answer));
    return std::get<proto::EnvStatus>(answer);
  };
  // Before the first reconcile nothing has asked Docker for containers.
  CHECK(status().containers_view == proto::ContainersView::unknown);
  CHECK(status().containers.empty());
  CHECK_FALSE(manager->health().docker);

  // Docker answers but reconciling fails: starting, not "Docker is down".
  h.docker.fail_next("list_containers", DockerError(DockerErrorKind::http, "500 busy", 500));
  CHECK_THROWS_AS(manager->reconcile(), DockerError);
  CHECK(manager->health().docker);
  CHECK_FALSE(manager->health().reconciled);

  manager->reconcile();
  CHECK(manager->health().docker);
  CHECK(manager->health().reconciled);
  CHECK(status().containers_view == proto::ContainersView::current);
  REQUIRE(status().containers.size() == 1);

  // Docker stops answering: a deploy fails, and status keeps the last containers, marked stale.
  h.docker.set_down(true);
  agent::DeployCommand command;
  command.app = "web";
  command.env = "prod";
  command.request.version = "v2";
  auto answer = manager->deploy(command);
  REQUIRE(std::holds_alternative<proto::Deployment>(answer));
  auto id = std::get<proto::Deployment>(answer).id;
  REQUIRE(testing::eventually(
      [&] {
        auto found = manager->deployment(id);
        return std::holds_alternative<proto::Deployment>(found) &&
               proto::is_terminal(std::get<proto::Deployment>(found).state);
      },
      std::chrono::seconds(10)));
  CHECK(status().containers_view == proto::ContainersView::stale);
  CHECK(status().containers.size() == 1);
  CHECK_FALSE(manager->health().docker);
  CHECK(manager->health().reconciled);
  h.docker.set_down(false);
}

TEST_CASE("status's cache key moves with the env state and the container view", "[manager][status]") {
  Harness h;
  h.deploy_v1();
  auto manager = h.manager();
  manager->reconcile();
  auto status = [&] {
    auto answer = manager->env_status("web", "prod");
    REQUIRE(std::holds_alternative<proto::EnvStatus>(answer));
    return std::get<proto::EnvStatus>(answer);
  };
  auto first = status();
  CHECK_FALSE(first.cache_key.empty());
  CHECK(status().cache_key == first.cache_key);  // nothing changed
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);  // the env state moved on
  auto after_deploy = status();
  CHECK(after_deploy.cache_key != first.cache_key);
  CHECK(after_deploy.live->version == "v2");
  manager->reconcile();  // the view is refreshed
  CHECK(status().cache_key != after_deploy.cache_key);
}

TEST_CASE("executor: a deploy in maintenance keeps the page, moves @live and verifies with the header",
          "[executor][maintenance]") {
  Harness h("", ", verify_url: http://127.0.0.1:18080");
  h.deploy_v1();
  const std::string secret = "0123456789abcdefABCDEF";
  h.router().set_maintenance_options({7079, "", secret});
  auto blue = h.docker.container("web-prod-api-blue")->network_ips.at("platform");
  h.router().start_maintenance("web", "prod", {"later", std::chrono::seconds(60)},
                               {{"web", "prod", "api", "blue", "v1", {blue + ":3000"}, {}}});
  auto page_upstream = h.upstream();
  auto servers_path = h.upstream_dir() / agent::router::maintenance_file_name("web", "prod");
  h.docker.add_registry_image("r/web:v2");
  auto v1_probes = h.host.probes().size();
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  auto probes = h.host.probes();
  probes.erase(probes.begin(), probes.begin() + static_cast<std::ptrdiff_t>(v1_probes));
  auto green = h.docker.container("web-prod-api-green")->network_ips.at("platform");
  CHECK(h.upstream() == page_upstream);  // users still get the page
  auto servers = agent::store::read_file(servers_path).value_or("");
  CHECK_THAT(servers, Catch::Contains("server " + green + ":3000;"));
  CHECK_THAT(servers, !Catch::Contains("server " + blue + ":3000;"));
  CHECK(has(probes, "GET 127.0.0.1:18080/ X-Fical-Verify=" + secret));
  CHECK_FALSE(has(probes, "GET 127.0.0.1:18080/"));  // never without it
  for (const auto& e : h.record.events) CHECK((e.message + e.data.dump()).find(secret) == std::string::npos);
}

TEST_CASE("manager: maintenance on is recorded and shown, off restores the plain upstream",
          "[executor][maintenance]") {
  Harness h;
  h.deploy_v1();
  h.router().set_maintenance_options({7079, "", "0123456789abcdefABCDEF"});
  auto plain = h.upstream();
  auto manager = h.manager();
  manager->reconcile();
  auto key_before = std::get<proto::EnvStatus>(manager->env_status("web", "prod")).cache_key;
  agent::MaintenanceCommand command{"web", "prod", {"Back at 14:00", 900}, {"ssm-deploy", "unix"}};
  auto on = manager->start_maintenance(command);
  // The status body cached by its key must not outlive a maintenance change.
  CHECK(std::get<proto::EnvStatus>(manager->env_status("web", "prod")).cache_key != key_before);
  REQUIRE(std::holds_alternative<proto::MaintenanceStatus>(on));
  CHECK(std::get<proto::MaintenanceStatus>(on).by == "ssm-deploy");
  CHECK(h.upstream() != plain);
  auto status = std::get<proto::EnvStatus>(manager->env_status("web", "prod"));
  REQUIRE(status.maintenance);
  CHECK(status.maintenance->retry_after_seconds == 900);
  auto page = h.upstream();
  manager->reconcile();  // as after a restart: it keeps the maintenance files
  CHECK(h.upstream() == page);

  manager.reset();  // a new manager reads it from the store
  manager = h.manager();
  status = std::get<proto::EnvStatus>(manager->env_status("web", "prod"));
  REQUIRE(status.maintenance);
  CHECK(status.maintenance->message == "Back at 14:00");

  manager->reconcile();
  auto off = manager->end_maintenance("web", "prod", {"ssm-deploy", "unix"});
  REQUIRE(std::holds_alternative<bool>(off));
  CHECK(std::get<bool>(off));
  CHECK(h.upstream() == plain);
  CHECK_FALSE(std::get<proto::EnvStatus>(manager->env_status("web", "prod")).maintenance);
  CHECK_FALSE(std::get<bool>(manager->end_maintenance("web", "prod", {"ssm-deploy", "unix"})));
  auto unknown = manager->start_maintenance({"web", "nope", {}, {}});
  REQUIRE(std::holds_alternative<proto::ApiError>(unknown));
  CHECK(std::get<proto::ApiError>(unknown).code == proto::ErrorCode::not_found);
}

TEST_CASE("executor: a staged container an interrupted deployment left is removed by the next", "[executor]") {
  Harness h;
  h.deploy_v1();
  // What a kill while Docker created it leaves, after reconcile had looked.
  agent::docker::ContainerSpec left;
  left.name = "web-prod-api-green--d-old";
  left.image = "r/web:v1";
  left.labels = agent::deploy::container_labels("web", "prod", "api", "green", "v2", "d-old");
  h.docker.create_container(left);
  REQUIRE(h.docker.container("web-prod-api-green--d-old"));
  h.docker.add_registry_image("r/web:v2");
  REQUIRE(h.run("v2") == DeploymentState::succeeded);
  CHECK_FALSE(h.docker.container("web-prod-api-green--d-old"));
  bool reported = false;
  for (const auto& e : h.record.events) {
    reported = reported || (e.data.is_object() && e.data.value("event", "") == "stale_removed" &&
                            e.data.value("container", "") == "web-prod-api-green--d-old");
  }
  CHECK(reported);
  CHECK(h.docker.container("web-prod-api-green")->state.running);
  CHECK(h.docker.container("web-prod-api-blue"));  // v1's, retained
}
