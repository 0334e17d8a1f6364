// The planner's canary decision: the env's strategy or the deploy's request, the steps
// (asked, the env's, or the default), and the cases that switch at once.
#include "agent/deploy/canary_plan.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent;
using namespace std::chrono_literals;
using fical::proto::DeploymentKind;

namespace {

config::Config example() {
  auto parsed = config::parse_config(R"(
nginx: { upstream_dir: /u, access_log: /var/log/nginx/fical-canary.json }
apps:
  web:
    environments:
      prod:
        network: platform
        strategy: canary
        steps: [{weight: 5, for: 1m}]
        analysis: { min_requests: 10 }
        services:
          api: { image: r/api, port: 3000, health: { http: /health } }
      staging:
        network: platform
        services:
          api: { image: r/api, port: 3000, health: { http: /health } }
)");
  REQUIRE(parsed.config);
  return *parsed.config;
}

deploy::DeployPlan planned(const config::Config& c, const std::string& env, DeploymentKind kind, bool live) {
  store::EnvState state;
  if (live) {
    state.live_color = "blue";
    state.live = fical::proto::Release{};
    state.live->version = "v1";
  }
  return deploy::plan_deployment(*c.find_app("web"), *c.find_app("web")->find_environment(env), state, kind, "v2",
                                 "d-1");
}

}  // namespace

TEST_CASE("canary plan: the env's strategy, or the deploy's request with its steps", "[canary][plan]") {
  auto c = example();
  const auto& prod = *c.find_app("web")->find_environment("prod");
  const auto& staging = *c.find_app("web")->find_environment("staging");
  auto plan = planned(c, "prod", DeploymentKind::deploy, true);
  deploy::plan_canary(plan, prod, c.nginx, {});
  REQUIRE(plan.canary);
  CHECK(plan.canary->steps == std::vector<config::CanaryStep>{{5, 1min}});
  CHECK(plan.canary->analysis.min_requests == 10);
  CHECK(plan.canary->steps_from == "env");
  CHECK(plan.canary->access_log == "/var/log/nginx/fical-canary.json");
  CHECK(to_json(plan)["canary"]["steps"][0]["weight"] == 5);

  plan_canary(plan, prod, c.nginx, {true, "20:30s,60:1m"});
  REQUIRE(plan.canary);
  CHECK(plan.canary->steps == std::vector<config::CanaryStep>{{20, 30s}, {60, 1min}});
  CHECK(plan.canary->steps_from == "request");

  auto blue_green = planned(c, "staging", DeploymentKind::deploy, true);
  plan_canary(blue_green, staging, c.nginx, {});
  CHECK_FALSE(blue_green.canary);
  CHECK(blue_green.canary_skipped.empty());
  CHECK_FALSE(to_json(blue_green).contains("canary"));
  plan_canary(blue_green, staging, c.nginx, {true, ""});
  REQUIRE(blue_green.canary);
  CHECK(blue_green.canary->steps == config::CanaryPolicy{}.steps);  // the default 10%, 50%
  CHECK(blue_green.canary->steps_from == "default");
}

TEST_CASE("canary plan: first deploys and rollbacks switch at once, and say why", "[canary][plan]") {
  auto c = example();
  const auto& prod = *c.find_app("web")->find_environment("prod");
  auto first = planned(c, "prod", DeploymentKind::deploy, false);
  plan_canary(first, prod, c.nginx, {});
  CHECK_FALSE(first.canary);
  CHECK_FALSE(first.canary_skipped.empty());
  CHECK(to_json(first)["canary"].contains("skipped"));
  auto rollback = planned(c, "prod", DeploymentKind::rollback, true);
  plan_canary(rollback, prod, c.nginx, {true, ""});
  CHECK_FALSE(rollback.canary);
  CHECK_FALSE(rollback.canary_skipped.empty());
}

TEST_CASE("canary plan: a deploy's request is checked before anything starts", "[canary][plan]") {
  auto c = example();
  const auto& staging = *c.find_app("web")->find_environment("staging");
  CHECK_FALSE(deploy::check_canary_ask(staging, c.nginx, {true, "10:5m,50:5m"}));
  CHECK_FALSE(deploy::check_canary_ask(staging, c.nginx, {false, ""}));
  auto bad = deploy::check_canary_ask(staging, c.nginx, {true, "50:5m,10:5m"});
  REQUIRE(bad);
  CHECK(bad->rfind("canary_steps: ", 0) == 0);
  auto no_log = c.nginx;
  no_log.access_log.clear();
  CHECK(deploy::check_canary_ask(staging, no_log, {true, ""}));
}
