#include "proto/deployment.hpp"
#include "proto/release.hpp"

#include <catch2/catch.hpp>

using namespace fical::proto;
using namespace std::chrono_literals;

namespace {

Deployment sample_deployment() {
  Deployment d;
  d.id = "dep-1";
  d.app = "web";
  d.env = "staging";
  d.kind = DeploymentKind::rollback;
  d.version = "v2";
  d.actor = "ssm-deploy";
  d.idempotency_key = "k-1";
  d.state = DeploymentState::rolled_back;
  d.phase = Phase::switch_traffic;
  d.created_at = now_ms();
  d.ended_at = d.created_at + 1500ms;
  d.phases = {{Phase::pull, d.created_at, d.created_at + 10ms}, {Phase::health, d.created_at, {}}};
  d.color = "green";
  d.previous_version = "v1";
  d.error = "verify: got v1";
  d.events = {{0, d.created_at, Phase::pull, EventLevel::info, "pulling", {{"bytes", 10}}},
              {1, d.created_at, Phase::verify, EventLevel::error, "bad", nullptr}};
  return d;
}

}  // namespace

TEST_CASE("phases and states have stable names", "[proto]") {
  CHECK(to_string(Phase::switch_traffic) == "switch");
  CHECK(phase_from_string("switch") == Phase::switch_traffic);
  CHECK(to_string(DeploymentState::rolled_back) == "rolled_back");
  CHECK_FALSE(phase_from_string("warp"));
  CHECK(is_terminal(DeploymentState::interrupted));
  CHECK_FALSE(is_terminal(DeploymentState::running));
}

TEST_CASE("a deployment round-trips through JSON", "[proto]") {
  auto d = sample_deployment();
  auto json = to_json(d);
  CHECK(json["phase"] == "switch");
  CHECK(json["events"].size() == 2);
  auto back = deployment_from_json(nlohmann::json::parse(json.dump()));
  CHECK(to_json(back) == json);
  CHECK(back.events[0].data["bytes"] == 10);
  CHECK(back.phases[1].ended == std::nullopt);
}

TEST_CASE("a deployment without events leaves them out", "[proto]") {
  auto json = to_json(sample_deployment(), false);
  CHECK_FALSE(json.contains("events"));
}

TEST_CASE("a record with an unknown state is an error naming the field", "[proto]") {
  auto json = to_json(sample_deployment());
  json["state"] = "exploded";
  CHECK_THROWS_WITH(deployment_from_json(json), Catch::Contains("state: unknown value \"exploded\""));
}

TEST_CASE("env status round-trips with live release and running deployment", "[proto]") {
  EnvStatus status;
  status.app = "web";
  status.env = "prod";
  status.live = Release{"v1", "blue", {{"api", "r/web:v1", "sha256:ab", "sha256:cd"}}, "", "dep-0",
                        "ci", now_ms(), "4f2a", {{"api", "upstream web-prod-api { server 127.0.0.1:1; }\n"}}, {}};
  status.containers = {{"api", "blue", "web-prod-api-blue", "c1", "v1", "running", "healthy"}};
  status.running = sample_deployment();
  auto json = to_json(status);
  CHECK_FALSE(json["running"].contains("events"));
  auto back = env_status_from_json(nlohmann::json::parse(json.dump()));
  CHECK(to_json(back) == json);
  CHECK(back.live->images[0].digest == "sha256:ab");
  CHECK(back.live->env_hash == "4f2a");
  CHECK(back.live->upstreams.at("api") == "upstream web-prod-api { server 127.0.0.1:1; }\n");
}

TEST_CASE("a rollback says which env it runs with and whether the env_file changed", "[proto]") {
  auto d = sample_deployment();
  CHECK_FALSE(to_json(d).contains("env_source"));  // deploys do not say
  d.kind = DeploymentKind::rollback;
  d.env_source = "recorded";
  d.env_changed = true;
  auto json = to_json(d);
  CHECK(json["env_source"] == "recorded");
  CHECK(json["env_changed"] == true);
  auto back = deployment_from_json(json);
  CHECK(back.env_source == "recorded");
  CHECK(back.env_changed);
}

TEST_CASE("a history's newest release of a version, and the first release it retains", "[proto]") {
  std::vector<Release> history(4);
  history[0].version = "v1";
  history[1].version = "v2";
  history[2].version = "v1";
  history[2].deployment_id = "d-3";
  history[3].version = "v3";
  REQUIRE(latest_release(history, "v1"));
  CHECK(latest_release(history, "v1")->deployment_id == "d-3");
  CHECK_FALSE(latest_release(history, "v9"));
  CHECK(first_retained(4, 2) == 2);
  CHECK(first_retained(4, 5) == 0);
  CHECK(first_retained(0, 1) == 0);
}

TEST_CASE("env status says how current its containers are, older agents read as current", "[proto]") {
  EnvStatus status;
  status.app = "web";
  status.env = "prod";
  status.containers_view = ContainersView::stale;
  auto json = to_json(status);
  CHECK(json["containers_view"] == "stale");
  CHECK(env_status_from_json(json).containers_view == ContainersView::stale);
  json.erase("containers_view");
  CHECK(env_status_from_json(json).containers_view == ContainersView::current);
  json["containers_view"] = "sideways";
  CHECK(env_status_from_json(json).containers_view == ContainersView::unknown);
}

TEST_CASE("a promotion's record keeps its kind and source through JSON", "[proto][promote]") {
  auto d = sample_deployment();
  d.kind = DeploymentKind::promote;
  d.promoted_from = PromotedFrom{"staging", "d-20261201-220000-abc"};
  auto json = to_json(d);
  CHECK(json["kind"] == "promote");
  CHECK(json["promoted_from"]["env"] == "staging");
  auto back = deployment_from_json(json);
  CHECK(back.kind == DeploymentKind::promote);
  REQUIRE(back.promoted_from);
  CHECK(*back.promoted_from == *d.promoted_from);
  CHECK_FALSE(deployment_from_json(to_json(sample_deployment())).promoted_from);
  CHECK(deployment_kind_from_string("promote") == DeploymentKind::promote);
}
