#include "agent/api/config_only_deployment_service.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent;
namespace proto = fical::proto;

TEST_CASE("the config-only service lists configured apps and refuses engine work", "[api]") {
  config::Config config;
  config::App app;
  app.name = "web";
  config::Environment staging;
  staging.name = "staging";
  app.environments.push_back(staging);
  config.apps.push_back(app);
  bool docker = false;
  api::ConfigOnlyDeploymentService service(config, [&] { return docker; });

  auto apps = service.apps();
  REQUIRE(apps.size() == 1);
  CHECK(apps[0].environments.at(0).name == "staging");
  auto status = service.env_status("web", "staging");
  REQUIRE(std::holds_alternative<proto::EnvStatus>(status));
  CHECK_FALSE(std::get<proto::EnvStatus>(status).live);
  CHECK(std::get<proto::ApiError>(service.env_status("web", "prod")).code == proto::ErrorCode::not_found);
  CHECK(std::get<std::vector<proto::Release>>(service.releases("web", "staging")).empty());

  DeployCommand deploy{"web", "staging", {"v1", false}, {}, {}};
  auto refused = service.deploy(deploy);
  REQUIRE(std::holds_alternative<proto::ApiError>(refused));
  CHECK(std::get<proto::ApiError>(refused).code == proto::ErrorCode::unavailable);
  CHECK(std::get<proto::ApiError>(service.events("d-1", 0)).code == proto::ErrorCode::unavailable);
  CHECK_FALSE(service.docker_reachable());
  docker = true;
  CHECK(service.docker_reachable());
}
