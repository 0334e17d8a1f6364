#include "client/status_text.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/client/sample_deployments.hpp"

using namespace fical::client;
using namespace fical::client::testing;
using fical::proto::DeploymentState;

TEST_CASE("history: one row per deployment with result, duration, actor and a cut reason", "[client][output]") {
  auto ok = ended(DeploymentState::succeeded, {});
  auto failed = ended(DeploymentState::failed, {}, "web did not become healthy: " + std::string(200, 'x'));
  failed.id = "dep-43";
  auto running = accepted_deployment();
  running.id = "dep-44";
  running.state = DeploymentState::running;
  auto text = deployments_table({running, failed, ok});
  INFO(text);
  CHECK(text.rfind("DEPLOYMENT", 0) == 0);
  CHECK_THAT(text, Catch::Contains("dep-42      deploy  v3       succeeded"));
  CHECK_THAT(text, Catch::Contains("38.0s"));
  CHECK_THAT(text, Catch::Contains("web did not become healthy"));
  CHECK(text.find(std::string(100, 'x')) == std::string::npos);  // the reason is cut
  CHECK(text.find("dep-44") < text.find("dep-43"));                // order kept: newest first
  CHECK(deployments_table({}) == "no deployments yet\n");
}

TEST_CASE("status says when its containers are stale or unknown, never plain none", "[client][output]") {
  fical::proto::EnvStatus status;
  status.app = "web";
  status.env = "prod";
  CHECK(env_status_text(status).find("containers: none\n") != std::string::npos);
  status.containers_view = fical::proto::ContainersView::unknown;
  auto unknown = env_status_text(status);
  CHECK(unknown.find("containers: none") == std::string::npos);
  CHECK(unknown.find("containers: unknown") != std::string::npos);
  status.containers_view = fical::proto::ContainersView::stale;
  status.containers = {{"api", "blue", "web-prod-api-blue", "c1", "v1", "running", "healthy"}};
  auto stale = env_status_text(status);
  CHECK(stale.find("Docker is not answering") != std::string::npos);
  CHECK(stale.find("web-prod-api-blue") != std::string::npos);
}
