#include "agent/deploy/plan.hpp"

#include <catch2/catch.hpp>

#include "agent/deploy/naming.hpp"

using namespace fical::agent;
using fical::proto::DeploymentKind;

namespace {

config::Config example() {
  auto parsed = config::parse_config(R"(
nginx: { upstream_dir: /u }
apps:
  web:
    environments:
      prod:
        env_file: /etc/web.env
        drain: 3s
        services:
          api:
            image: 127.0.0.1:5000/web-api
            ports: { blue: 18001, green: 18002 }
            health: { http: /health }
            migrate: { command: [/app/migrate.sh] }
            env: { LOG_LEVEL: info }
          worker:
            image: 127.0.0.1:5000/web-api
            command: [/app/worker]
      staging:
        network: platform
        services:
          api: { image: ghcr.io/o/web-api, port: 3000, health: { http: /health } }
)");
  REQUIRE(parsed.config);
  return *parsed.config;
}

}  // namespace

TEST_CASE("the first deploy starts blue and has nothing to switch back to", "[deploy]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  auto plan = deploy::plan_deployment(app, *app.find_environment("prod"), {}, DeploymentKind::deploy, "v1", "d-1");
  CHECK(plan.target_color == "blue");
  CHECK(plan.previous_upstreams.empty());
  REQUIRE(plan.containers.size() == 2);
  const auto& api = plan.containers[0];
  CHECK(api.name == "web-prod-api-blue");
  CHECK(api.image == "127.0.0.1:5000/web-api:v1");
  CHECK(api.port == 18001);
  CHECK(api.env.at("PORT") == "18001");
  CHECK(api.env.at("LOG_LEVEL") == "info");
  CHECK(api.labels.at("fical.color") == "blue");
  CHECK(api.labels.at("fical.deployment") == "d-1");
  // Workers are started but not routed.
  CHECK(plan.containers[1].command == std::vector<std::string>{"/app/worker"});
  REQUIRE(plan.upstreams.size() == 1);
  CHECK(plan.upstreams[0].servers == std::vector<std::string>{"127.0.0.1:18001"});
  REQUIRE(plan.migration);
  CHECK(plan.migration->command == std::vector<std::string>{"/app/migrate.sh"});
  CHECK(plan.migration->labels.at("fical.role") == "migration");
}

TEST_CASE("the next deploy targets the idle color and can switch back", "[deploy]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  store::EnvState live;
  live.live_color = "blue";
  live.live = fical::proto::Release{"v1", "blue", {}, "", "d-1", "ci", {}, "", {}, {}};
  auto plan = deploy::plan_deployment(app, *app.find_environment("prod"), live, DeploymentKind::deploy, "v2", "d-2");
  CHECK(plan.target_color == "green");
  CHECK(plan.containers[0].env.at("PORT") == "18002");
  CHECK(plan.upstreams[0].servers == std::vector<std::string>{"127.0.0.1:18002"});
  REQUIRE(plan.previous_upstreams.size() == 1);
  CHECK(plan.previous_upstreams[0].servers == std::vector<std::string>{"127.0.0.1:18001"});
  CHECK(plan.previous_upstreams[0].version == "v1");
}

TEST_CASE("a rollback runs no migration", "[deploy]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  store::EnvState live;
  live.live_color = "green";
  auto plan = deploy::plan_deployment(app, *app.find_environment("prod"), live, DeploymentKind::rollback, "v1", "d-3");
  CHECK_FALSE(plan.migration);
  CHECK(plan.target_color == "blue");
  CHECK_FALSE(plan.reuse_warm_containers);
  live.warm_color = "blue";
  live.warm_until = fical::proto::now_ms();
  CHECK(deploy::plan_deployment(app, *app.find_environment("prod"), live, DeploymentKind::rollback, "v1", "d-3")
            .reuse_warm_containers);
}

TEST_CASE("on a Docker network nginx reaches containers by name", "[deploy]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  auto plan = deploy::plan_deployment(app, *app.find_environment("staging"), {}, DeploymentKind::deploy, "v1", "d-1");
  CHECK(plan.containers[0].network == "platform");
  CHECK_FALSE(plan.containers[0].env.count("PORT"));
  CHECK(plan.upstreams[0].servers == std::vector<std::string>{"web-staging-api-blue:3000"});
}

TEST_CASE("a plan shown to people names the env file but no values", "[deploy]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  store::EnvState live;
  live.live_color = "blue";
  auto json = deploy::to_json(deploy::plan_deployment(app, *app.find_environment("prod"), live,
                                                      DeploymentKind::deploy, "v2", "d-2"));
  CHECK(json["env_file"] == "/etc/web.env");
  CHECK(json["containers"][0]["env_keys"] == nlohmann::json::array({"LOG_LEVEL", "PORT"}));
  CHECK(json["upstreams"][0]["from"] == nlohmann::json::array({"127.0.0.1:18001"}));
  CHECK(json["upstreams"][0]["to"] == nlohmann::json::array({"127.0.0.1:18002"}));
  CHECK(json.dump().find("info") == std::string::npos);  // env values stay out
}

TEST_CASE("on a Docker network upstreams name container addresses, or a down server", "[deploy]") {
  auto config = example();
  const auto& app = *config.find_app("web");
  const auto& staging = *app.find_environment("staging");
  // As shown in a plan: the container's name.
  auto shown = deploy::upstreams_for("web", staging, "green", "v2");
  REQUIRE(shown.size() == 1);
  CHECK(shown[0].servers == std::vector<std::string>{"web-staging-api-green:3000"});
  // As written for nginx: the address Docker reports, or none while it does not run.
  deploy::ContainerAddresses addresses{{"web-staging-api-green", "10.89.0.7"}};
  auto live = deploy::upstreams_for("web", staging, "green", "v2", &addresses);
  CHECK(live[0].servers == std::vector<std::string>{"10.89.0.7:3000"});
  auto down = deploy::upstreams_for("web", staging, "blue", "v1", &addresses);
  CHECK(down[0].servers.empty());
  CHECK(down[0].down_reason == "web-staging-api-blue is not running on platform");
  // Host networking never needs addresses.
  auto host = deploy::upstreams_for("web", *app.find_environment("prod"), "blue", "v1", &addresses);
  CHECK(host[0].servers == std::vector<std::string>{"127.0.0.1:18001"});
}
