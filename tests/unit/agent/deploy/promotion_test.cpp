// Promotion: the decision (each refusal, from facts), the plan it makes (the source's exact
// digests with the target's own config), and the manager carrying it out against a
// FakeDockerEngine: staging's digest runs in production, and a broken staging is refused
// before anything changes.
#include "agent/deploy/promotion.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/deploy/deployment_manager.hpp"
#include "agent/deploy/plan.hpp"
#include "tests/support/fake_docker_engine.hpp"
#include "tests/support/fake_host.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/test_env.hpp"

using namespace fical;
using agent::deploy::PromotionFacts;
using agent::deploy::PromotionRefusal;
using proto::DeploymentKind;
using proto::DeploymentState;
namespace reason = agent::deploy::promotion_reason;

namespace {

const char* kApps = R"(
apps:
  web:
    environments:
      staging:
        network: platform
        drain: 1ms
        stop_timeout: 1s
        services:
          api:
            image: r/web
            port: 3000
            env: { STAGE: staging }
            health: { docker: true, deadline: 2s, interval: 10ms, max_interval: 20ms }
            migrate: { command: [/app/migrate.sh], timeout: 5s }
      production:
        network: platform
        drain: 1ms
        stop_timeout: 1s
        services:
          api:
            image: r/web
            port: 3000
            env: { STAGE: production }
            health: { docker: true, deadline: 2s, interval: 10ms, max_interval: 20ms }
            migrate: { command: [/app/migrate.sh], timeout: 5s }
  built:
    source: { repo: /srv/git/built.git }
    environments:
      staging:
        network: platform
        drain: 1ms
        stop_timeout: 1s
        services:
          api:
            build: { context: . }
            port: 3000
            health: { docker: true, deadline: 2s, interval: 10ms, max_interval: 20ms }
      production:
        network: platform
        drain: 1ms
        stop_timeout: 1s
        services:
          api:
            build: { context: . }
            port: 3000
            health: { docker: true, deadline: 2s, interval: 10ms, max_interval: 20ms }
)";

agent::config::Config parse(const std::string& head) {
  auto parsed = agent::config::parse_config(head + kApps);
  for (const auto& e : parsed.errors) UNSCOPED_INFO(e.to_string());
  REQUIRE(parsed.config);
  return *parsed.config;
}

/// v1 live and healthy on staging's blue color, deployed by d-1 (its last deployment).
struct Decision {
  agent::config::Config config = parse("nginx: { upstream_dir: /u }\n");
  const agent::config::App& app = *config.find_app("web");
  const agent::config::Environment& staging = *app.find_environment("staging");
  const agent::config::Environment& production = *app.find_environment("production");
  PromotionFacts facts;
  Decision() {
    proto::Release v1{"v1", "blue", {{"api", "r/web:v1", "sha256:aaa", "sha256:id-1"}}, "", "d-1", "ci", {}, "", {}, {}};
    facts.source.live_color = "blue";
    facts.source.live = v1;
    proto::Deployment last;
    last.id = "d-1";
    last.version = "v1";
    last.state = DeploymentState::succeeded;
    facts.last_deployment = last;
    facts.containers = {{"api", "web-staging-api-blue", true, true, "healthy", "v1"}};
    facts.view = {{"api", "blue", "web-staging-api-blue", "c1", "v1", "running", "healthy"}};
    facts.view_state = proto::ContainersView::current;
  }
  std::string refusal() const {
    auto checked = agent::deploy::check_promotion(app, staging, production, facts);
    if (auto* refused = std::get_if<PromotionRefusal>(&checked)) return refused->reason;
    return {};
  }
};

}  // namespace

TEST_CASE("promotion: a live, healthy, settled and pinned release may be promoted", "[deploy][promote]") {
  Decision d;
  auto checked = agent::deploy::check_promotion(d.app, d.staging, d.production, d.facts);
  REQUIRE(std::holds_alternative<proto::Release>(checked));
  CHECK(std::get<proto::Release>(checked).deployment_id == "d-1");
  CHECK(d.refusal().empty());
}

TEST_CASE("promotion: refused, each for its reason, before anything changes", "[deploy][promote]") {
  Decision d;
  SECTION("the same env") {
    CHECK(agent::deploy::check_promotion(d.app, d.production, d.production, d.facts).index() == 1);
    auto checked = agent::deploy::check_promotion(d.app, d.staging, d.staging, d.facts);
    CHECK(std::get<PromotionRefusal>(checked).reason == reason::kSameEnv);
  }
  SECTION("nothing live") {
    d.facts.source = {};
    CHECK(d.refusal() == reason::kNoLiveRelease);
  }
  SECTION("a deployment runs in the source") {
    d.facts.running_deployment = "d-2";
    CHECK(d.refusal() == reason::kSourceBusy);
    d.facts.running_deployment.clear();
    d.facts.source.in_flight_id = "d-2";
    CHECK(d.refusal() == reason::kSourceBusy);
  }
  SECTION("a later deployment failed or rolled back: the live release is not the last deployed") {
    d.facts.last_deployment->id = "d-2";
    d.facts.last_deployment->version = "v2";
    for (auto state : {DeploymentState::failed, DeploymentState::rolled_back, DeploymentState::interrupted,
                       DeploymentState::cancelled, DeploymentState::running}) {
      d.facts.last_deployment->state = state;
      CHECK(d.refusal() == reason::kNotSettled);
    }
    // Even a later success of another release: the live one is not what it made live.
    d.facts.last_deployment->state = DeploymentState::succeeded;
    CHECK(d.refusal() == reason::kNotSettled);
  }
  SECTION("the source's deployment record is gone") {
    d.facts.last_deployment.reset();
    CHECK(d.refusal() == reason::kNotSettled);
  }
  SECTION("a container stopped, removed, unhealthy or running another release, per Docker now") {
    auto& c = d.facts.containers[0];
    SECTION("stopped") { c.running = false; }
    SECTION("removed") { c.exists = false; }
    SECTION("unhealthy") { c.health = "unhealthy"; }
    SECTION("starting") { c.health = "starting"; }
    SECTION("another release") { c.release = "v0"; }
    CHECK(d.refusal() == reason::kUnhealthy);
  }
  SECTION("the containers view says a live container is not running") {
    d.facts.view[0].state = "exited";
    CHECK(d.refusal() == reason::kUnhealthy);
    d.facts.view_state = proto::ContainersView::stale;  // old news: Docker's answer above decides
    CHECK(d.refusal().empty());
  }
  SECTION("no digest recorded: the image was never pulled from a registry") {
    d.facts.source.live->images[0].digest.clear();
    CHECK(d.refusal() == reason::kNotPinned);
  }
  SECTION("the target runs another repository, or a service the source did not release") {
    SECTION("repository") { d.facts.source.live->images[0].image = "r/other:v1"; }
    SECTION("service") { d.facts.source.live->images[0].service = "worker"; }
    CHECK(d.refusal() == reason::kServiceMismatch);
  }
}

TEST_CASE("promotion: the plan runs the source's digest with the target's own config and migration",
          "[deploy][promote][planner]") {
  Decision d;
  agent::store::EnvState prod;  // v0 live on green
  prod.live_color = "green";
  prod.live = proto::Release{"v0", "green", {}, "", "d-0", "ci", {}, "", {}, {}};
  agent::deploy::PlanFacts facts;
  facts.recorded = *d.facts.source.live;
  facts.promoted_from_env = "staging";
  auto plan = agent::deploy::plan_deployment(d.app, d.production, prod, DeploymentKind::promote, "v1", "d-5", facts);
  REQUIRE(plan.containers.size() == 1);
  const auto& api = plan.containers[0];
  CHECK(api.image == "r/web@sha256:aaa");
  CHECK(api.pinned_to_digest);
  CHECK(api.name == "web-production-api-blue");
  CHECK(api.env.at("STAGE") == "production");  // the target's config, not the source's
  CHECK(api.labels.at("fical.release") == "v1");
  CHECK(api.env_source == agent::deploy::EnvSource::current);
  REQUIRE(plan.migration);
  CHECK(plan.migration->image == "r/web@sha256:aaa");
  CHECK_FALSE(plan.rollback);
  REQUIRE(plan.promotion);
  CHECK(agent::deploy::images_to_pull(plan) == std::vector<std::string>{"r/web@sha256:aaa"});
  auto json = agent::deploy::to_json(plan);
  CHECK(json["kind"] == "promote");
  CHECK(json["promotion"]["from_env"] == "staging");
  CHECK(json["promotion"]["of_deployment"] == "d-1");
  CHECK(json["containers"][0]["pinned_to_digest"] == true);
}

TEST_CASE("promotion: in build mode the source's built image runs by its id, never rebuilt or pulled",
          "[deploy][promote][planner]") {
  Decision d;
  const auto& app = *d.config.find_app("built");
  const auto& production = *app.find_environment("production");
  proto::Release built{"v1", "blue", {{"api", "fical/built-api:c0ffee", "", "sha256:built-1"}}, "c0ffee",
                       "d-1", "ci", {}, "", {}, {}};
  CHECK_FALSE(agent::deploy::check_promoted_release(app, "staging", production, built));
  agent::deploy::PlanFacts facts;
  facts.recorded = built;
  facts.promoted_from_env = "staging";
  auto plan = agent::deploy::plan_deployment(app, production, {}, DeploymentKind::promote, "v1", "d-5", facts);
  REQUIRE(plan.containers.size() == 1);
  CHECK(plan.containers[0].image == "fical/built-api:c0ffee");
  CHECK(plan.containers[0].expected_image_id == "sha256:built-1");
  CHECK_FALSE(plan.containers[0].build);
  CHECK(plan.commit == "c0ffee");
  CHECK(agent::deploy::images_to_pull(plan).empty());
  CHECK(agent::deploy::to_json(plan)["containers"][0]["image_id"] == "sha256:built-1");
  // A built service whose image id was not recorded has nothing exact to promote.
  built.images[0].image_id.clear();
  auto refused = agent::deploy::check_promoted_release(app, "staging", production, built);
  REQUIRE(refused);
  CHECK(refused->reason == reason::kNotPinned);
}

namespace {

/// nginx that always passes `nginx -t` and reloads.
class QuietNginx : public agent::router::NginxControl {
 public:
  void test() override {}
  void reload() override {}
};

/// The manager over a fake engine, with web's staging and production environments.
class Engine {
 public:
  Engine() {
    std::filesystem::create_directories(dir_.path() / "upstreams");
    config_ = parse("state_dir: " + (dir_.path() / "state").string() +
                    "\ndocker: { min_free_disk_mb: 0 }\nnginx: { upstream_dir: " +
                    (dir_.path() / "upstreams").string() + " }\n");
    store_ = std::make_unique<agent::store::StateStore>(config_.state_dir);
    router_ = std::make_unique<agent::router::UpstreamRouter>(dir_.path() / "upstreams", nginx_);
    manager_ = std::make_unique<agent::deploy::DeploymentManager>(
        agent::deploy::ManagerDeps{config_, docker, router_.get(), *store_, host, host});
    manager_->reconcile();
  }
  ~Engine() { manager_.reset(); }

  proto::Deployment wait(const agent::Result<proto::Deployment>& started) {
    if (auto* error = std::get_if<proto::ApiError>(&started)) FAIL(error->message);
    auto id = std::get<proto::Deployment>(started).id;
    proto::Deployment found;
    REQUIRE(testing::eventually([&] {
      auto answer = manager_->deployment(id);
      if (auto* d = std::get_if<proto::Deployment>(&answer)) found = *d;
      return proto::is_terminal(found.state);
    }));
    return found;
  }
  proto::Deployment deploy(const std::string& version, const std::string& env) {
    return wait(manager_->deploy({"web", env, {version, false}, {"ci", "unix"}, ""}));
  }
  agent::Result<proto::Deployment> promote(bool dry_run = false) {
    return manager_->promote({"web", "production", {"staging", dry_run}, {"promoter", "unix"}, ""});
  }
  agent::Result<proto::Deployment> promote_built() {
    return manager_->promote({"built", "production", {"staging", false}, {"promoter", "unix"}, ""});
  }
  /// Staging of app `built` as a build-mode deploy d-1 leaves it: v1 built from commit
  /// c0ffee as fical/built-api:c0ffee (image sha256:built-1), live and running on blue.
  void stage_built_release() {
    docker.add_local_image("fical/built-api:c0ffee", "sha256:built-1");
    proto::Release v1{"v1", "blue", {{"api", "fical/built-api:c0ffee", "", "sha256:built-1"}}, "c0ffee", "d-1", "ci",
                      proto::now_ms(), "", {}, {}};
    agent::store::EnvState state;
    state.live_color = "blue";
    state.live = v1;
    store_->record_release("built", "staging", v1, state);
    proto::Deployment d1;
    d1.id = "d-1";
    d1.app = "built";
    d1.env = "staging";
    d1.version = "v1";
    d1.state = DeploymentState::succeeded;
    d1.created_at = proto::now_ms();
    d1.ended_at = d1.created_at;
    store_->save_deployment(d1);
    agent::docker::ContainerSpec spec;
    spec.name = "built-staging-api-blue";
    spec.image = "fical/built-api:c0ffee";
    spec.network = "platform";
    spec.labels = {{"fical.app", "built"}, {"fical.env", "staging"}, {"fical.service", "api"},
                   {"fical.color", "blue"}, {"fical.release", "v1"}, {"fical.deployment", "d-1"}};
    docker.start_container(docker.create_container(spec));
  }
  agent::deploy::DeploymentManager& manager() { return *manager_; }
  agent::store::StateStore& store() { return *store_; }

  testing::FakeDockerEngine docker;
  testing::FakeHost host;

 private:
  testing::TempDir dir_;
  agent::config::Config config_;
  QuietNginx nginx_;
  std::unique_ptr<agent::store::StateStore> store_;
  std::unique_ptr<agent::router::UpstreamRouter> router_;
  std::unique_ptr<agent::deploy::DeploymentManager> manager_;
};

std::string refusal_of(const agent::Result<proto::Deployment>& answer) {
  auto* error = std::get_if<proto::ApiError>(&answer);
  if (!error) return "accepted";
  return std::string(proto::to_string(error->code)) + "/" + error->reason;
}

}  // namespace

TEST_CASE("promotion: production runs staging's digest, recorded as a promotion, and the dry run shows that plan",
          "[deploy][promote][manager]") {
  Engine e;
  e.docker.add_registry_image("r/web:v1");
  REQUIRE(e.deploy("v1", "staging").state == DeploymentState::succeeded);
  auto staging_release = e.store().load_env("web", "staging").live;
  REQUIRE(staging_release);

  auto dry = e.promote(true);
  REQUIRE(std::holds_alternative<proto::Deployment>(dry));
  auto pulls_before = e.docker.calls_starting("pull ").size();
  auto promoted = e.wait(e.promote());
  INFO(promoted.error);
  REQUIRE(promoted.state == DeploymentState::succeeded);
  CHECK(promoted.kind == DeploymentKind::promote);
  CHECK(promoted.version == "v1");
  REQUIRE(promoted.promoted_from);
  CHECK(promoted.promoted_from->env == "staging");
  CHECK(promoted.promoted_from->deployment_id == staging_release->deployment_id);
  CHECK(promoted.actor == "promoter");

  auto shown = std::get<proto::Deployment>(dry).plan;
  shown.erase("pull");
  shown.erase("env");
  CHECK(shown == promoted.plan);

  auto prod = e.docker.container("web-production-api-blue");
  REQUIRE(prod);
  CHECK(prod->image_ref == "r/web@sha256:digest-v1");  // the digest, never the tag
  CHECK(prod->state.running);
  CHECK(e.docker.calls_starting("pull ").size() == pulls_before);  // staging's image is here: no pull
  CHECK(e.docker.calls_starting("run_once web-production").size() == 1);  // its own migration
  auto live = e.store().load_env("web", "production").live;
  REQUIRE(live);
  CHECK(live->version == "v1");
  REQUIRE(live->images.size() == 1);
  CHECK(live->images[0].digest == staging_release->images[0].digest);
  // The record keeps its source through the store.
  auto stored = e.store().load_deployment(promoted.id);
  REQUIRE(stored);
  CHECK(stored->promoted_from == promoted.promoted_from);
}

TEST_CASE("promotion: a stopped staging container or a failed later deploy is refused, production unchanged",
          "[deploy][promote][manager]") {
  Engine e;
  e.docker.add_registry_image("r/web:v1");
  e.docker.add_registry_image("r/web:v2");
  REQUIRE(e.deploy("v1", "staging").state == DeploymentState::succeeded);
  REQUIRE(e.deploy("v2", "production").state == DeploymentState::succeeded);
  auto creates = e.docker.calls_starting("create web-production").size();

  SECTION("stopped by hand") {
    e.docker.stop_by_hand("web-staging-api-blue");
    CHECK(refusal_of(e.promote()) == "promotion_refused/source_unhealthy");
    CHECK(refusal_of(e.promote(true)) == "promotion_refused/source_unhealthy");  // dry runs too
  }
  SECTION("a later deploy failed: v1 still serves, but is not what staging last deployed") {
    e.docker.add_registry_image("r/web:v3", {.health = "unhealthy"});
    REQUIRE(e.deploy("v3", "staging").state == DeploymentState::failed);
    CHECK(e.store().load_env("web", "staging").live->version == "v1");
    CHECK(refusal_of(e.promote()) == "promotion_refused/source_not_settled");
  }
  SECTION("Docker does not answer") {
    e.docker.set_down(true);
    CHECK(refusal_of(e.promote()) == "unavailable/");
    e.docker.set_down(false);
  }
  CHECK(e.docker.calls_starting("create web-production").size() == creates);
  CHECK(e.store().load_env("web", "production").live->version == "v2");
  auto history = e.manager().deployments("web", "production", 10);
  REQUIRE(std::holds_alternative<std::vector<proto::Deployment>>(history));
  for (const auto& d : std::get<std::vector<proto::Deployment>>(history)) CHECK(d.kind == DeploymentKind::deploy);
}

TEST_CASE("promotion: unknown envs are not found, the same env is a bad request, nothing live is refused",
          "[deploy][promote][manager]") {
  Engine e;
  CHECK(refusal_of(e.manager().promote({"web", "production", {"qa", false}, {"p", "unix"}, ""})) == "not_found/");
  CHECK(refusal_of(e.manager().promote({"blog", "production", {"staging", false}, {"p", "unix"}, ""})) == "not_found/");
  CHECK(refusal_of(e.manager().promote({"web", "staging", {"staging", false}, {"p", "unix"}, ""})) == "bad_request/same_env");
  CHECK(refusal_of(e.promote()) == "promotion_refused/no_live_release");
}

TEST_CASE("promotion: in build mode production runs the very image staging built, or fails if it changed",
          "[deploy][promote][manager]") {
  Engine e;
  e.stage_built_release();
  SECTION("the same image id: run as it is, nothing fetched, built or pulled") {
    auto promoted = e.wait(e.promote_built());
    INFO(promoted.error);
    REQUIRE(promoted.state == DeploymentState::succeeded);
    auto prod = e.docker.container("built-production-api-blue");
    REQUIRE(prod);
    CHECK(prod->image_ref == "fical/built-api:c0ffee");
    CHECK(e.docker.calls_starting("build").empty());
    CHECK(e.docker.calls_starting("pull").empty());
    auto live = e.store().load_env("built", "production").live;
    REQUIRE(live);
    CHECK(live->commit == "c0ffee");
    REQUIRE(live->images.size() == 1);
    CHECK(live->images[0].image_id == "sha256:built-1");
  }
  SECTION("rebuilt since under the same name: refused in the pull phase, before anything starts") {
    e.docker.add_local_image("fical/built-api:c0ffee", "sha256:built-2");
    auto promoted = e.wait(e.promote_built());
    CHECK(promoted.state == DeploymentState::failed);
    CHECK(promoted.phase == proto::Phase::pull);
    CHECK(e.docker.calls_starting("create built-production").empty());
    CHECK_FALSE(e.store().load_env("built", "production").live);
    bool said = false;
    for (const auto& event : promoted.events) said = said || (event.data.is_object() && event.data.value("reason", "") == "image_changed");
    CHECK(said);
  }
}
