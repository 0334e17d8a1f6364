#include "agent/deploy/docker_specs.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::deploy;

TEST_CASE("config env wins over the env file, which comes first", "[deploy]") {
  auto env = environment({{"DB", "from-file"}, {"SECRET", "s"}}, {{"DB", "from-config"}, {"PORT", "8080"}});
  CHECK(env == std::vector<std::string>{"SECRET=s", "DB=from-config", "PORT=8080"});
}

TEST_CASE("service containers restart unless stopped and carry fical's labels", "[deploy]") {
  ContainerPlan plan;
  plan.name = "web-prod-api-green";
  plan.image = "r/web:v2";
  plan.network = "platform";
  plan.env = {{"PORT", "3000"}};
  plan.labels = {{"fical.color", "green"}};
  plan.command = {"/app/serve"};
  auto spec = container_spec(plan, {{"TOKEN", "t"}});
  CHECK(spec.restart_policy == "unless-stopped");
  CHECK(spec.env == std::vector<std::string>{"TOKEN=t", "PORT=3000"});
  CHECK(spec.labels.at("fical.color") == "green");
  CHECK(spec.network_aliases == std::vector<std::string>{"web-prod-api-green"});
  plan.network = "host";
  CHECK(container_spec(plan, {}).network_aliases.empty());
}

TEST_CASE("migrations never restart and keep their timeout", "[deploy]") {
  MigrationPlan plan;
  plan.name = "m";
  plan.image = "r/web:v2";
  plan.network = "host";
  plan.command = {"/app/migrate.sh"};
  plan.timeout = std::chrono::seconds(90);
  auto run = migration_spec(plan, {});
  CHECK(run.container.restart_policy == "no");
  CHECK(run.timeout == std::chrono::seconds(90));
  CHECK(run.container.cmd == std::vector<std::string>{"/app/migrate.sh"});
}

TEST_CASE("the registry of an image is found as Docker does", "[deploy]") {
  CHECK(registry_of("ghcr.io/owner/web") == "ghcr.io");
  CHECK(registry_of("127.0.0.1:5000/fical/app:v1") == "127.0.0.1:5000");
  CHECK(registry_of("localhost/app") == "localhost");
  CHECK(registry_of("owner/app") == "docker.io");
  CHECK(registry_of("busybox") == "docker.io");
}

TEST_CASE("references split into repository and tag", "[deploy]") {
  CHECK(split_reference("127.0.0.1:5000/fical/app:v1") == std::pair<std::string, std::string>{"127.0.0.1:5000/fical/app", "v1"});
  CHECK(split_reference("127.0.0.1:5000/fical/app") == std::pair<std::string, std::string>{"127.0.0.1:5000/fical/app", "latest"});
  CHECK(split_reference("web:v1.2") == std::pair<std::string, std::string>{"web", "v1.2"});
  // A pinned reference: the digest takes the tag's place (Docker's pull accepts it there).
  CHECK(split_reference("127.0.0.1:5000/fical/app@sha256:ab12") ==
        std::pair<std::string, std::string>{"127.0.0.1:5000/fical/app", "sha256:ab12"});
}
