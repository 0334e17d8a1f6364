#include "agent/api/router.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <yaml-cpp/yaml.h>

#include "agent/api/handlers.hpp"

using namespace fical::agent::api;

TEST_CASE("patterns match whole segments and capture parameters", "[api]") {
  PathParams params;
  CHECK(match_pattern("/v1/apps/{app}/envs/{env}", "/v1/apps/web/envs/prod", params));
  REQUIRE(params.size() == 2);
  CHECK(params[0] == std::pair<std::string, std::string>{"app", "web"});
  CHECK(params[1] == std::pair<std::string, std::string>{"env", "prod"});
  CHECK_FALSE(match_pattern("/v1/apps/{app}", "/v1/apps/", params));
  CHECK_FALSE(match_pattern("/v1/apps/{app}", "/v1/apps/web/", params));
  CHECK_FALSE(match_pattern("/v1/apps/{app}", "/v1/apps/web/x", params));
  CHECK_FALSE(match_pattern("/v1/apps", "/v1//apps", params));
  CHECK_FALSE(match_pattern("/healthz", "healthz", params));
  CHECK(match_pattern("/healthz", "/healthz", params));
}

TEST_CASE("the router tells a wrong method from an unknown path", "[api]") {
  const auto& router = api_router();
  auto found = router.match("POST", "/v1/deployments/d-1/cancel");
  REQUIRE(found.route != nullptr);
  CHECK(found.route->pattern == "/v1/deployments/{id}/cancel");
  auto wrong = router.match("DELETE", "/v1/apps/a/envs/b/deployments");
  CHECK(wrong.route == nullptr);
  CHECK(wrong.allowed == std::vector<std::string>{"GET", "POST"});
  auto unknown = router.match("GET", "/v1/nothing");
  CHECK(unknown.route == nullptr);
  CHECK(unknown.allowed.empty());
}

TEST_CASE("openapi.yaml describes exactly the router's routes, with their scopes", "[api]") {
  // From the build's definition, not __FILE__: ccache's base_dir makes that relative.
  auto spec = YAML::LoadFile(std::string(FICAL_SOURCE_DIR) + "/proto/openapi.yaml");

  std::set<std::string> documented, served;
  for (const auto& path : spec["paths"]) {
    for (const auto& operation : path.second) {
      auto method = operation.first.as<std::string>();
      if (method == "parameters") continue;
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string scope = operation.second["x-scope"] ? operation.second["x-scope"].as<std::string>()
                                                       : "none";
      documented.insert(method + " " + path.first.as<std::string>() + " " + scope);
    }
  }
  for (const auto& route : api_router().routes()) {
    std::string scope = route.scope ? fical::agent::config::to_string(*route.scope) : "none";
    served.insert(std::string(route.method) + " " + std::string(route.pattern) + " " + scope);
  }
  CHECK(documented == served);
  CHECK(served.size() == 19);
}
