// The deployment engine against real Docker, registry and nginx, under load: zero failed
// requests is the point of the product, so every test that changes traffic checks it.
#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <thread>

#include "tests/integration/deploy/engine_harness.hpp"
#include "tests/support/events.hpp"
#include "tests/support/load_generator.hpp"
#include "tests/support/slowdown.hpp"

using namespace fical;
using namespace fical::testing;
using proto::DeploymentState;

namespace {

std::string events_text(const proto::Deployment& d) {
  std::string text;
  for (const auto& e : d.events) {
    text += "[" + std::string(proto::to_string(e.phase)) + "] " + e.message + "\n";
  }
  return text + "error: " + d.error;
}

void require_succeeded(const proto::Deployment& d) {
  INFO(events_text(d));
  REQUIRE(d.state == DeploymentState::succeeded);
}

/// An env_file of the test's own with `content`, and an engine whose environments use it.
struct WithEnvFile {
  explicit WithEnvFile(const std::string& content) { std::ofstream(file) << content; }
  TempDir dir;
  std::filesystem::path file = dir.path() / "web.env";
  EngineHarness h{"env_file: " + file.string() + "\n"};
};

}  // namespace

TEST_CASE("deploying v1 then v2 under load fails no request", "[deploy]") {
  EngineHarness h;
  require_succeeded(h.deploy("v1"));
  REQUIRE(h.settled_on("v1"));

  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  auto v2 = h.deploy("v2");
  REQUIRE(eventually([&] { return h.served() == "v2"; }));
  auto report = load.stop();
  INFO(report.summary());
  require_succeeded(v2);
  CHECK(report.failed == 0);
  CHECK(report.bodies.count("v1"));
  CHECK(report.bodies.count("v2"));
  CHECK(v2.color == "green");
  CHECK(v2.previous_version == "v1");
  // v1 is stopped and kept for rollback; v2 runs.
  CHECK(h.containers("web-blue") == std::vector<std::string>{h.app() + "-prod-web-blue:exited"});
  CHECK(h.containers("web-green") == std::vector<std::string>{h.app() + "-prod-web-green:running"});
  // The record: every phase, the release with its digest.
  auto releases = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod"));
  REQUIRE(releases.size() == 2);
  CHECK(releases[0].version == "v2");
  CHECK(releases[0].images.at(0).digest.rfind("sha256:", 0) == 0);
  std::vector<proto::Phase> phases;
  for (const auto& p : v2.phases) phases.push_back(p.phase);
  using P = proto::Phase;
  CHECK(phases == std::vector<P>{P::preflight, P::pull, P::migrate, P::start, P::health, P::switch_traffic,
                                 P::verify, P::drain, P::retire, P::done});
}

TEST_CASE("a request in flight during the switch completes", "[deploy]") {
  // Long enough to outlast the deploy's way to the switch, also in a sanitizer build.
  const int slow_seconds = fical::testing::kSlowdown > 1 ? 5 : 2;
  EngineHarness h("drain: " + std::to_string(slow_seconds + 2) + "s\n",
                  "env: { SLOW_SECONDS: \"" + std::to_string(slow_seconds) + "\" }\n");
  require_succeeded(h.deploy("v1"));
  REQUIRE(h.settled_on("v1"));
  auto sent = fical::proto::now_ms();
  fical::proto::TimePoint answered{};
  auto slow = std::async(std::launch::async, [&] {
    auto answer = http_get(h.nginx_port(), h.path() + "cgi-bin/slow", std::chrono::seconds(15));
    answered = fical::proto::now_ms();
    return answer;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto v2 = h.deploy("v2");
  require_succeeded(v2);
  auto answer = slow.get();
  CHECK(answer.status == 200);
  CHECK(answer.body == "slow v1\n");
  // It was in flight when nginx switched: sent before the switch, answered after it.
  auto is_switch = [](const fical::proto::PhaseRecord& p) { return p.phase == fical::proto::Phase::switch_traffic; };
  auto switched = std::find_if(v2.phases.begin(), v2.phases.end(), is_switch);
  REQUIRE(switched != v2.phases.end());
  CHECK(sent < switched->started);
  CHECK(answered > switched->started);
}

TEST_CASE("broken releases end failed with a reason while v2 keeps serving", "[deploy]") {
  EngineHarness h;
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));
  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));

  auto unhealthy = h.deploy("v3-unhealthy");
  auto crash = h.deploy("v3-crash");
  auto badmigrate = h.deploy("v3-badmigrate");
  std::ofstream(h.nginx().location_dir() / "zz-broken.conf") << "location /broken { no_such_directive on; }\n";
  auto nginx_broken = h.deploy("v3");
  std::filesystem::remove(h.nginx().location_dir() / "zz-broken.conf");

  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
  CHECK(report.bodies.size() == 1);
  CHECK(report.bodies.count("v2"));

  INFO(events_text(unhealthy));
  CHECK(unhealthy.state == DeploymentState::failed);
  CHECK_THAT(unhealthy.error, Catch::Contains("web did not become healthy") && Catch::Contains("answered 404"));
  CHECK(unhealthy.events.back().level == proto::EventLevel::info);  // cleanup events follow the error
  INFO(events_text(crash));
  CHECK(crash.state == DeploymentState::failed);
  CHECK_THAT(crash.error, Catch::Contains("container exited with code 3"));
  bool logs_attached = false;
  for (const auto& e : crash.events) {
    if (e.data.contains("logs")) logs_attached = e.data["logs"].dump().find("crashing on start") != std::string::npos;
  }
  CHECK(logs_attached);
  INFO(events_text(badmigrate));
  CHECK(badmigrate.state == DeploymentState::failed);
  CHECK_THAT(badmigrate.error, Catch::Contains("the migration exited with code 1") &&
                                   Catch::Contains("migration 0042 failed"));
  INFO(events_text(nginx_broken));
  CHECK(nginx_broken.state == DeploymentState::failed);
  CHECK_THAT(nginx_broken.error, Catch::Contains("nginx -t fails before any change") &&
                                     Catch::Contains("no_such_directive"));
  // No v3 container is left; v2 still runs on blue.
  CHECK(h.containers("green").empty());
  CHECK(h.containers() == std::vector<std::string>{h.app() + "-prod-web-blue:running"});
  CHECK(h.served() == "v2");
}

TEST_CASE("preflight refuses a deploy without the disk or the env keys the release needs", "[deploy]") {
  WithEnvFile site("APP_REGION=eu-secret-region\n");
  auto& h = site.h;
  const auto& env_file = site.file;
  require_succeeded(h.deploy("v2"));

  h.config().docker.min_free_disk_mb = 1L << 30;  // 1 PiB: more than this disk has
  auto no_disk = h.deploy("v3");
  h.config().docker.min_free_disk_mb = 1024;
  INFO(events_text(no_disk));
  CHECK(no_disk.state == DeploymentState::failed);
  CHECK_THAT(no_disk.error, Catch::Contains("free in Docker's data-root") && Catch::Contains("docker-data") &&
                                Catch::Contains("docker.min_free_disk_mb"));
  CHECK(no_disk.phase == proto::Phase::preflight);

  // v3-needsenv's image says LABEL fical.required-env="APP_SECRET APP_REGION".
  auto missing = h.deploy("v3-needsenv");
  INFO(events_text(missing));
  CHECK(missing.state == DeploymentState::failed);
  CHECK_THAT(missing.error, Catch::Contains("needs APP_SECRET (image label fical.required-env)") &&
                                Catch::Contains(env_file.string()));
  CHECK_THAT(events_text(missing), !Catch::Contains("eu-secret-region"));
  CHECK(h.containers("green").empty());
  CHECK(h.served() == "v2");

  std::ofstream(env_file, std::ios::app) << "APP_SECRET=s3cr3t\n";
  require_succeeded(h.deploy("v3-needsenv"));
  CHECK(h.settled_on("v3-needsenv"));
}

TEST_CASE("a rollback runs the release with the env it ran with, or today's when asked", "[deploy]") {
  WithEnvFile site("APP_SECRET=one\n");
  auto& h = site.h;
  const auto& env_file = site.file;
  require_succeeded(h.deploy("v1"));
  require_succeeded(h.deploy("v2"));
  std::ofstream(env_file) << "APP_SECRET=two\n";  // a rotated secret
  auto secret_in = [&](const std::string& color) {
    agent::docker::ExecSpec echo{{"/bin/sh", "-c", "echo \"$APP_SECRET\""}, {}, "", std::chrono::seconds(10)};
    auto result = h.docker().exec(h.app() + "-prod-web-" + color, echo);
    return result.output.empty() ? std::string("(none)") : result.output.front().text;
  };

  // v1's retained container is gone (pruned, or removed by hand): the rollback recreates it
  // with the env v1 ran with, which fical kept.
  h.docker().remove_container(h.app() + "-prod-web-blue", true);
  auto back = h.rollback("v1");
  require_succeeded(back);
  CHECK(back.env_source == "recorded");
  CHECK(back.env_changed);
  auto chosen = event_data(back, "env_chosen");
  REQUIRE(chosen);
  CHECK((*chosen)["env_source"] == "recorded");
  CHECK((*chosen)["env_changed"] == true);
  CHECK(secret_in("blue") == "one");

  // Forward again with today's env: v2's retained container has the old env baked in, so
  // it is recreated rather than started.
  auto forward = h.rollback("v2", "prod", true);
  require_succeeded(forward);
  CHECK(forward.env_source == "current");
  CHECK(forward.env_changed);
  auto recreated = event_data(forward, "env_chosen");
  REQUIRE(recreated);
  CHECK((*recreated)["env_source"] == "current");
  CHECK((*recreated)["recreate_retained"] == true);
  CHECK(secret_in("green") == "two");

  // Each release records a keyed hash of its env and the upstream nginx loaded.
  auto releases = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod"));
  REQUIRE(releases.size() == 4);  // newest first: v2 (today's env), v1 (recorded), v2, v1
  CHECK(releases[1].env_hash == releases[3].env_hash);
  CHECK(releases[0].env_hash != releases[1].env_hash);
  CHECK(releases[0].env_hash.size() == 64);
  CHECK_THAT(releases[0].upstreams.at("web"), Catch::Contains("upstream " + h.app() + "-prod-web"));
  std::ifstream key(h.store().dir() / "env-hash.key");
  CHECK(key.good());
}

TEST_CASE("a rollback recreates a release from its recorded digest even when its tag moved", "[deploy]") {
  EngineHarness h;
  auto docker_cli = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"docker", "-H", "unix://" + TestEnv::get().docker_socket});
    auto ran = agent::router::SpawnProcessRunner().run(args, std::chrono::seconds(60));
    INFO(ran.output);
    REQUIRE(ran.exit_code == 0);
  };
  // A tag of this test's own (moving it disturbs no other test), first on v1's image.
  auto tag = "moving-" + h.app();
  docker_cli({"tag", "fical-test-app:v1", h.image(tag)});
  docker_cli({"push", "-q", h.image(tag)});
  require_succeeded(h.deploy(tag));
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));
  // The tag moves to v3's image, here and in the registry; the retained container is gone.
  docker_cli({"tag", "fical-test-app:v3", h.image(tag)});
  docker_cli({"push", "-q", h.image(tag)});
  h.docker().remove_container(h.app() + "-prod-web-blue", true);

  // The dry run shows the plan the rollback then records and runs: the recorded digest.
  agent::RollbackCommand preview{h.app(), "prod", {tag, true, false}, {"test", "127.0.0.1"}, ""};
  auto dry = std::get<proto::Deployment>(h.manager().rollback(preview));
  auto back = h.rollback(tag);
  require_succeeded(back);
  auto pinned = event_data(back, "image_pinned");
  REQUIRE(pinned);
  CHECK_THAT((*pinned)["image"].get<std::string>(), Catch::StartsWith(TestEnv::get().test_image + "@sha256:"));
  INFO(dry.plan.dump(2));
  INFO(back.plan.dump(2));
  auto shown = dry.plan;
  shown.erase("pull");  // the dry run's registry and env previews, beside the plan
  shown.erase("env");
  CHECK(shown == back.plan);
  CHECK_THAT(back.plan["containers"][0]["image"].get<std::string>(), Catch::StartsWith(TestEnv::get().test_image + "@sha256:"));
  CHECK(back.plan["containers"][0]["action"] == "create");
  CHECK(h.settled_on("v1"));  // v1's image answers "v1"; the moved tag would answer "v3"
}

TEST_CASE("a release that fails verification through nginx is switched back", "[deploy]") {
  EngineHarness h("verify_path: @PATH@cgi-bin/verify\n");
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));
  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  auto bad = h.deploy("v3-badverify");
  auto report = load.stop();
  REQUIRE(h.settled_on("v2"));
  INFO(report.summary());
  INFO(events_text(bad));
  CHECK(bad.state == DeploymentState::rolled_back);
  CHECK_THAT(bad.error, Catch::Contains("verify through nginx failed") && Catch::Contains("answered 503"));
  auto switched_back = event_data(bad, "switched_back");
  REQUIRE(switched_back);
  CHECK((*switched_back)["color"] == "blue");
  CHECK((*switched_back)["version"] == "v2");
  CHECK(report.failed == 0);
  CHECK(h.containers("green").empty());
  auto state = h.store().load_env(h.app(), "prod");
  CHECK(state.live->version == "v2");
  CHECK(state.live_color == "blue");
}

TEST_CASE("rolling back under load pulls nothing and fails no request", "[deploy]") {
  EngineHarness h;
  require_succeeded(h.deploy("v1"));
  require_succeeded(h.deploy("v2"));
  REQUIRE(h.settled_on("v2"));
  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  auto back = h.rollback();
  REQUIRE(eventually([&] { return h.served() == "v1"; }));
  auto report = load.stop();
  INFO(report.summary());
  require_succeeded(back);
  CHECK(report.failed == 0);
  CHECK(back.kind == proto::DeploymentKind::rollback);
  CHECK(back.version == "v1");
  CHECK(event_data(back, "pull_skipped"));
  auto retained = event_data(back, "retained_started");
  REQUIRE(retained);
  CHECK((*retained)["container"] == h.app() + "-prod-web-blue");
  CHECK((*retained)["version"] == "v1");
  CHECK_FALSE(event_data(back, "pulling"));
  CHECK_FALSE(event_data(back, "container_started"));
  CHECK_FALSE(has_phase_event(back, proto::Phase::migrate));
}

TEST_CASE("one deployment per environment, environments in parallel", "[deploy]") {
  EngineHarness h;
  agent::DeployCommand prod{h.app(), "prod", {"v1", false}, {"test", "127.0.0.1"}, ""};
  agent::DeployCommand again{h.app(), "prod", {"v2", false}, {"test", "127.0.0.1"}, ""};
  agent::DeployCommand staging{h.app(), "staging", {"v2", false}, {"test", "127.0.0.1"}, ""};
  auto first = h.manager().deploy(prod);
  auto second = h.manager().deploy(again);
  auto third = h.manager().deploy(staging);
  REQUIRE(std::holds_alternative<proto::Deployment>(first));
  REQUIRE(std::holds_alternative<proto::ApiError>(second));
  const auto& conflict = std::get<proto::ApiError>(second);
  CHECK(conflict.code == proto::ErrorCode::conflict);
  CHECK(conflict.deployment_id == std::get<proto::Deployment>(first).id);
  REQUIRE(std::holds_alternative<proto::Deployment>(third));
  require_succeeded(h.wait(std::get<proto::Deployment>(first).id));
  require_succeeded(h.wait(std::get<proto::Deployment>(third).id));
  CHECK(h.settled_on("v1", "prod"));
  CHECK(h.settled_on("v2", "staging"));
}

TEST_CASE("a repeated Idempotency-Key returns the first deployment", "[deploy]") {
  EngineHarness h;
  agent::DeployCommand command{h.app(), "prod", {"v1", false}, {"test", "127.0.0.1"}, "ssm-cmd-42"};
  auto first = std::get<proto::Deployment>(h.manager().deploy(command));
  auto again = h.manager().deploy(command);
  REQUIRE(std::holds_alternative<proto::Deployment>(again));
  CHECK(std::get<proto::Deployment>(again).id == first.id);
  require_succeeded(h.wait(first.id));
  auto after = h.manager().deploy(command);
  CHECK(std::get<proto::Deployment>(after).id == first.id);
}

TEST_CASE("a dry run returns the plan and changes nothing", "[deploy]") {
  EngineHarness h;
  require_succeeded(h.deploy("v1"));
  REQUIRE(h.settled_on("v1"));
  agent::DeployCommand command{h.app(), "prod", {"v2", true}, {"test", "127.0.0.1"}, ""};
  auto dry = std::get<proto::Deployment>(h.manager().deploy(command));
  CHECK(dry.dry_run);
  CHECK(dry.state == DeploymentState::succeeded);
  CHECK(dry.plan["target_color"] == "green");
  CHECK(dry.plan["images"][0] == h.image("v2"));
  CHECK(dry.plan["upstreams"][0]["from"].size() == 1);
  // The registry's digest for v2, asked without a pull: the one the deploy then records.
  INFO(dry.plan.dump());
  REQUIRE(dry.plan["pull"].size() == 1);
  CHECK(dry.plan["pull"][0]["image"] == h.image("v2"));
  auto digest = dry.plan["pull"][0].value("digest", "");
  CHECK(digest.rfind("sha256:", 0) == 0);
  CHECK(h.containers("green").empty());
  CHECK(h.served() == "v1");
  auto v2 = h.deploy("v2");
  require_succeeded(v2);
  auto live = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod")).at(0);
  CHECK(live.images.at(0).digest == digest);
}

TEST_CASE("cancel stops a deployment at a safe point and cleans up", "[deploy]") {
  EngineHarness h("", "health: { http: /health, deadline: 30s }\n");
  require_succeeded(h.deploy("v1"));
  agent::DeployCommand command{h.app(), "prod", {"v3-unhealthy", false}, {"test", "127.0.0.1"}, ""};
  auto started = std::get<proto::Deployment>(h.manager().deploy(command));
  REQUIRE(eventually([&] {
    auto d = std::get<proto::Deployment>(h.manager().deployment(started.id));
    return d.phase == proto::Phase::health;
  }, std::chrono::seconds(30)));
  auto cancelled = h.manager().cancel(started.id, {"test", "127.0.0.1"});
  REQUIRE(std::holds_alternative<proto::Deployment>(cancelled));
  auto done = h.wait(started.id);
  INFO(events_text(done));
  CHECK(done.state == DeploymentState::cancelled);
  CHECK(h.containers("green").empty());
  CHECK(h.settled_on("v1"));
}
