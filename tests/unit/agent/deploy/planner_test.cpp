// The planner decides everything a deployment does from its facts: the image each
// container runs (tag, commit, recorded digest), where its env comes from, and whether the
// start phase creates, restarts or reuses it.
#include <catch2/catch.hpp>

#include "agent/deploy/plan.hpp"

using namespace fical::agent;
using fical::proto::DeploymentKind;
using deploy::ContainerAction;
using deploy::EnvSource;

namespace {

config::Config example() {
  auto parsed = config::parse_config(R"(
nginx: { upstream_dir: /u }
apps:
  web:
    environments:
      prod:
        env_file: /etc/web.env
        services:
          api:
            image: 127.0.0.1:5000/web-api
            ports: { blue: 18001, green: 18002 }
            health: { http: /health }
            migrate: { command: [/app/migrate.sh] }
          worker:
            image: 127.0.0.1:5000/web-worker
  built:
    source: { repo: /srv/git/built.git }
    environments:
      prod:
        network: platform
        services:
          api:
            build: { context: . }
            port: 3000
            health: { http: /health }
            migrate: { command: [/app/migrate.sh] }
          cache:
            image: 127.0.0.1:5000/cache
)");
  for (const auto& e : parsed.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(parsed.config);
  return *parsed.config;
}

/// v2 is live on green; v1 ran on blue with recorded digests.
struct Rollback {
  config::Config config = example();
  const config::App& app = *config.find_app("web");
  const config::Environment& env = *app.find_environment("prod");
  store::EnvState state;
  deploy::PlanFacts facts;
  Rollback() {
    state.live_color = "green";
    state.live = fical::proto::Release{"v2", "green", {}, "", "d-2", "ci", {}, "hash-2", {}, {}};
    fical::proto::Release v1{"v1", "blue", {}, "", "d-1", "ci", {}, "hash-1", {}, {}};
    v1.images = {{"api", "127.0.0.1:5000/web-api:v1", "sha256:aaa", "id-a"},
                 {"worker", "127.0.0.1:5000/web-worker:v1", "", "id-w"}};
    facts.recorded = v1;
    facts.recorded_env_snapshot = true;
  }
  deploy::DeployPlan plan() const {
    return deploy::plan_deployment(app, env, state, DeploymentKind::rollback, "v1", "d-3", facts);
  }
};

}  // namespace

TEST_CASE("planner: a rollback runs the digests its release recorded, and no migration", "[deploy][planner]") {
  Rollback r;
  auto plan = r.plan();
  REQUIRE(plan.containers.size() == 2);
  CHECK(plan.containers[0].image == "127.0.0.1:5000/web-api@sha256:aaa");
  CHECK(plan.containers[0].pinned_to_digest);
  CHECK(plan.containers[1].image == "127.0.0.1:5000/web-worker:v1");  // no digest recorded: the tag
  CHECK_FALSE(plan.containers[1].pinned_to_digest);
  CHECK_FALSE(plan.migration);
  CHECK(deploy::images_to_pull(plan) ==
        std::vector<std::string>{"127.0.0.1:5000/web-api@sha256:aaa", "127.0.0.1:5000/web-worker:v1"});
  auto json = deploy::to_json(plan);
  CHECK(json["images"][0] == "127.0.0.1:5000/web-api@sha256:aaa");
  CHECK(json["containers"][0]["pinned_to_digest"] == true);
  CHECK(json["rollback"]["of_deployment"] == "d-1");
}

TEST_CASE("planner: a rollback's env is the recorded snapshot, or today's with current_env", "[deploy][planner]") {
  Rollback r;
  SECTION("recorded") {
    auto plan = r.plan();
    REQUIRE(plan.rollback);
    CHECK(plan.rollback->env_source == EnvSource::recorded);
    CHECK(plan.rollback->pin_secret_versions);
    CHECK(plan.rollback->env_hash == "hash-1");
    CHECK_FALSE(plan.current_env);
    for (const auto& c : plan.containers) CHECK(c.env_source == EnvSource::recorded);
    CHECK(deploy::to_json(plan)["containers"][1]["env_source"] == "recorded");
  }
  SECTION("current_env") {
    r.facts.current_env = true;
    auto plan = r.plan();
    CHECK(plan.current_env);
    CHECK(plan.rollback->env_source == EnvSource::current);
    CHECK_FALSE(plan.rollback->pin_secret_versions);
    CHECK(plan.containers[0].env_source == EnvSource::current);
    CHECK(deploy::to_json(plan)["current_env"] == true);
  }
  SECTION("never recorded: today's, and it says so") {
    r.facts.recorded_env_snapshot = false;
    auto plan = r.plan();
    CHECK(plan.rollback->env_source == EnvSource::current);
    CHECK(plan.rollback->snapshot_missing);
    CHECK_FALSE(plan.rollback->pin_secret_versions);  // it recorded no secret versions either
  }
}

TEST_CASE("planner: a rollback restarts retained containers, reuses warm ones, creates the rest",
          "[deploy][planner]") {
  Rollback r;
  const std::string api = "web-prod-api-blue", worker = "web-prod-worker-blue";
  SECTION("both retained and stopped: restarted") {
    r.facts.target_containers = {{api, {false, "v1"}}, {worker, {false, "v1"}}};
    auto plan = r.plan();
    CHECK(plan.containers[0].action == ContainerAction::restart_retained);
    CHECK(plan.containers[1].action == ContainerAction::restart_retained);
    CHECK(deploy::to_json(plan)["containers"][0]["action"] == "restart_retained");
  }
  SECTION("inside keep_warm, still running: reused; one gone: created") {
    r.state.warm_color = "blue";
    r.state.warm_until = fical::proto::now_ms() + std::chrono::minutes(5);
    r.facts.target_containers = {{api, {true, "v1"}}};
    auto plan = r.plan();
    CHECK(plan.reuse_warm_containers);
    CHECK(plan.containers[0].action == ContainerAction::reuse_warm);
    CHECK(plan.containers[1].action == ContainerAction::create);
    CHECK_FALSE(plan.containers[1].replaces);
  }
  SECTION("running outside keep_warm, or of another release: replaced") {
    r.facts.target_containers = {{api, {true, "v1"}}, {worker, {false, "v0"}}};
    auto plan = r.plan();
    CHECK(plan.containers[0].action == ContainerAction::create);
    CHECK(plan.containers[0].replaces == "v1");
    CHECK(plan.containers[1].action == ContainerAction::create);
    CHECK(plan.containers[1].replaces == "v0");
    CHECK(deploy::to_json(plan)["containers"][1]["replaces"] == "v0");
  }
  SECTION("current_env with a changed env_file: retained containers have the old env, recreated") {
    r.facts.target_containers = {{api, {false, "v1"}}, {worker, {false, "v1"}}};
    r.facts.current_env = true;
    r.facts.env_file_changed = true;
    auto plan = r.plan();
    CHECK(plan.rollback->recreate_retained);
    CHECK(plan.containers[0].action == ContainerAction::create);
    CHECK(plan.containers[0].replaces == "v1");
  }
  SECTION("current_env with the same env_file: restarted") {
    r.facts.target_containers = {{api, {false, "v1"}}, {worker, {false, "v1"}}};
    r.facts.current_env = true;
    auto plan = r.plan();
    CHECK_FALSE(plan.rollback->recreate_retained);
    CHECK(plan.containers[0].action == ContainerAction::restart_retained);
  }
  SECTION("the recorded env (changed since or not): restarted, the container has it baked in") {
    r.facts.target_containers = {{api, {false, "v1"}}, {worker, {false, "v1"}}};
    r.facts.env_file_changed = true;
    auto plan = r.plan();
    CHECK(plan.rollback->env_changed);
    CHECK(plan.containers[0].action == ContainerAction::restart_retained);
  }
}

TEST_CASE("planner: a deploy creates every container, replacing a stale one of the name", "[deploy][planner]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  deploy::PlanFacts facts;
  facts.target_containers = {{"web-prod-api-blue", {false, "v1"}}};  // a retained v1 is still replaced
  store::EnvState state;
  state.live_color = "green";
  auto plan = deploy::plan_deployment(app, *app.find_environment("prod"), state, DeploymentKind::deploy, "v1", "d-9", facts);
  CHECK(plan.containers[0].action == ContainerAction::create);
  CHECK(plan.containers[0].replaces == "v1");
  CHECK(plan.containers[0].env_source == EnvSource::current);
  CHECK_FALSE(plan.rollback);
  CHECK(plan.migration);
}

TEST_CASE("planner: the first deploy creates everything from today's tags and env", "[deploy][planner]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  auto plan = deploy::plan_deployment(app, *app.find_environment("prod"), {}, DeploymentKind::deploy, "v1", "d-1");
  CHECK(plan.target_color == "blue");
  for (const auto& c : plan.containers) {
    CHECK(c.action == ContainerAction::create);
    CHECK_FALSE(c.replaces);
    CHECK_FALSE(c.pinned_to_digest);
    CHECK(c.env_source == EnvSource::current);
  }
  CHECK(plan.containers[0].image == "127.0.0.1:5000/web-api:v1");
  CHECK(plan.migration->image == "127.0.0.1:5000/web-api:v1");
  CHECK(deploy::images_to_pull(plan) ==
        std::vector<std::string>{"127.0.0.1:5000/web-api:v1", "127.0.0.1:5000/web-worker:v1"});
  auto json = deploy::to_json(plan);
  CHECK(json["images"] == nlohmann::json::array({"127.0.0.1:5000/web-api:v1", "127.0.0.1:5000/web-worker:v1"}));
  CHECK_FALSE(json.contains("rollback"));
  CHECK_FALSE(json.contains("build_mode"));
}

TEST_CASE("planner: build mode pins built images and the migration to the resolved commit", "[deploy][planner]") {
  auto config = example();
  const auto& app = *config.find_app("built");
  const auto& env = *app.find_environment("prod");
  const std::string commit(40, 'c');
  deploy::PlanFacts facts;
  facts.commit = commit;
  auto plan = deploy::plan_deployment(app, env, {}, DeploymentKind::deploy, "main", "d-1", facts);
  CHECK(plan.source_ref == "main");
  CHECK(plan.commit == commit);
  CHECK(plan.containers[0].image == "fical/built-api:" + commit);
  CHECK(plan.containers[0].build);
  CHECK(plan.migration->image == "fical/built-api:" + commit);
  CHECK(plan.containers[1].image == "127.0.0.1:5000/cache:main");  // not built: the version's tag
  CHECK(deploy::images_to_pull(plan) == std::vector<std::string>{"127.0.0.1:5000/cache:main"});
  auto json = deploy::to_json(plan);
  CHECK(json["commit"] == commit);
  CHECK(json["containers"][0]["built"] == true);
  // Before the commit is resolved (a dry run that cannot fetch): the version's tag, no commit.
  auto unresolved = deploy::plan_deployment(app, env, {}, DeploymentKind::deploy, "main", "d-1");
  CHECK(unresolved.containers[0].image == "fical/built-api:main");
  CHECK(deploy::to_json(unresolved)["commit"].is_null());
}

TEST_CASE("planner: a build-mode rollback checks out the commit its release recorded", "[deploy][planner]") {
  auto config = example();
  const auto& app = *config.find_app("built");
  const std::string old_commit(40, 'a');
  fical::proto::Release v1{"v1", "blue", {}, old_commit, "d-1", "ci", {}, "", {}, {}};
  v1.images = {{"api", "fical/built-api:" + old_commit, "", "id-1"}};
  CHECK(deploy::source_ref(DeploymentKind::rollback, "v1", &v1) == old_commit);
  CHECK(deploy::source_ref(DeploymentKind::deploy, "v1", &v1) == "v1");
  fical::proto::Release no_commit = v1;
  no_commit.commit.clear();
  CHECK(deploy::source_ref(DeploymentKind::rollback, "v1", &no_commit) == "v1");
  store::EnvState state;
  state.live_color = "blue";
  deploy::PlanFacts facts;
  facts.recorded = v1;
  facts.commit = old_commit;
  auto plan = deploy::plan_deployment(app, *app.find_environment("prod"), state, DeploymentKind::rollback, "v1", "d-3",
                                      facts);
  CHECK(plan.source_ref == old_commit);
  CHECK(plan.containers[0].image == "fical/built-api:" + old_commit);
  CHECK_FALSE(plan.containers[0].pinned_to_digest);  // rebuilt from the commit, never pulled
}
