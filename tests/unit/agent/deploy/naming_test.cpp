#include "agent/deploy/naming.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::deploy;

TEST_CASE("label filters name fical's containers by app, env and role", "[deploy]") {
  CHECK(label_filters("web", "prod", "migration") ==
        std::vector<std::string>{"fical.app=web", "fical.env=prod", "fical.role=migration"});
  CHECK(label_filters("web", "prod") == std::vector<std::string>{"fical.app=web", "fical.env=prod"});
  CHECK(label_filters("", "", "app") == std::vector<std::string>{"fical.role=app"});
}

TEST_CASE("a migration container is named for its deployment", "[deploy]") {
  CHECK(migration_container_name("web", "prod", "api", "d-1") == "web-prod-api-migrate-d-1");
  CHECK(migration_container_name("web", "prod", "api", "d-1") != container_name("web", "prod", "api", "blue"));
}
