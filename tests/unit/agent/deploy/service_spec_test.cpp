// What a service's container runs with beyond its image: agent.yaml's keys, validated, as
// planned, recorded with the release, sent to Docker; and a rollback's recorded spec.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/config/config.hpp"
#include "agent/deploy/docker_specs.hpp"
#include "agent/deploy/plan.hpp"
#include "agent/docker/requests.hpp"
#include "proto/release.hpp"

using namespace fical;
using fical::proto::DeploymentKind;

namespace {

std::string app_yaml(const std::string& service_keys, const std::string& network = "platform") {
  return R"(
nginx: { upstream_dir: /u }
apps:
  acc:
    environments:
      prod:
        network: )" + network + R"(
        services:
          backend:
            image: ghcr.io/o/backend
            port: 3000
            health: { http: /health }
)" + service_keys;
}

std::string errors_of(const std::string& yaml) {
  std::string all;
  for (const auto& e : agent::config::parse_config(yaml).errors) all += e.to_string() + "\n";
  return all;
}

const proto::ServiceSpec& backend_spec(const agent::config::Config& config) {
  return config.find_app("acc")->find_environment("prod")->find_service("backend")->spec;
}

}  // namespace

TEST_CASE("service runtime keys: volumes, limits, user, networks, log, stop_signal, init", "[config]") {
  auto parsed = agent::config::parse_config(app_yaml(R"(            volumes: [data:/app/data, "/opt/acc/uploads:/app/uploads:ro"]
            memory: 512m
            cpus: 1.5
            user: "1000:1000"
            networks: [postgres]
            log: { max_size: 10m, max_file: 3 }
            stop_signal: SIGQUIT
            init: true
)"));
  REQUIRE(parsed.errors.empty());
  const auto& spec = backend_spec(*parsed.config);
  REQUIRE(spec.volumes.size() == 2);
  CHECK(spec.volumes[0].source == "data");
  CHECK_FALSE(spec.volumes[0].is_bind());
  CHECK(spec.volumes[1].is_bind());
  CHECK(spec.volumes[1].read_only);
  CHECK(spec.memory_bytes == 512ll << 20);
  CHECK(spec.nano_cpus == 1'500'000'000);
  CHECK(spec.user == "1000:1000");
  CHECK(spec.networks == std::vector<std::string>{"postgres"});
  REQUIRE(spec.log);
  CHECK(spec.log->max_size == "10m");
  CHECK(spec.log->max_file == 3);
  CHECK(spec.stop_signal == "SIGQUIT");
  CHECK(spec.init);
}

TEST_CASE("service runtime keys are validated with the key path", "[config]") {
  const std::string at = "apps.acc.environments.prod.services.backend.";
  CHECK_THAT(errors_of(app_yaml("            volumes: [./data:/app/data]\n")),
             Catch::Contains(at + "volumes[0]: a bind mount needs an absolute host path"));
  CHECK_THAT(errors_of(app_yaml("            volumes: [data:relative]\n")),
             Catch::Contains(at + "volumes[0]: the container path must be absolute"));
  CHECK_THAT(errors_of(app_yaml("            volumes: [\"data:/d:rx\"]\n")),
             Catch::Contains(at + "volumes[0]: the mode must be ro or rw"));
  CHECK_THAT(errors_of(app_yaml("            volumes: [a:/d, b:/d]\n")),
             Catch::Contains(at + "volumes[1]: mounts /d twice"));
  CHECK_THAT(errors_of(app_yaml("            memory: 1k\n")), Catch::Contains(at + "memory: must be a size"));
  CHECK_THAT(errors_of(app_yaml("            memory: lots\n")), Catch::Contains(at + "memory: must be a size"));
  CHECK_THAT(errors_of(app_yaml("            cpus: 0\n")), Catch::Contains(at + "cpus: must be a number"));
  CHECK_THAT(errors_of(app_yaml("            user: \"root; rm\"\n")), Catch::Contains(at + "user: must be"));
  CHECK_THAT(errors_of(app_yaml("            networks: [host]\n")), Catch::Contains(at + "networks:"));
  CHECK_THAT(errors_of(app_yaml("            log: { max_file: 3 }\n")), Catch::Contains(at + "log.max_file: needs"));
  CHECK_THAT(errors_of(app_yaml("            stop_signal: TERM\n")), Catch::Contains(at + "stop_signal: must"));
  CHECK_THAT(errors_of(app_yaml("            init: yes-please\n")), Catch::Contains(at + "init: must be true"));
  CHECK_THAT(errors_of(app_yaml("            networks: [other]\n            ports: { blue: 1, green: 2 }\n",
                                "host")),
             Catch::Contains(at + "networks: only on a Docker network"));
}

TEST_CASE("the plan carries the spec to Docker's create request", "[deploy]") {
  auto parsed = agent::config::parse_config(app_yaml(R"(            volumes: ["data:/app/data", "/srv/up:/up:ro"]
            memory: 64m
            cpus: 0.5
            user: app
            log: { max_size: 1m, max_file: 2 }
            stop_signal: SIGINT
            init: true
            migrate: { command: [/app/migrate.sh] }
)"));
  REQUIRE(parsed.config);
  const auto& app = *parsed.config->find_app("acc");
  auto plan = agent::deploy::plan_deployment(app, *app.find_environment("prod"), {}, DeploymentKind::deploy, "v1", "d-1");
  auto request = agent::docker::requests::create_container(agent::deploy::container_spec(plan.containers.at(0), {}));
  auto body = nlohmann::json::parse(request.body);
  CHECK(body["HostConfig"]["Binds"] == nlohmann::json({"data:/app/data", "/srv/up:/up:ro"}));
  CHECK(body["HostConfig"]["Memory"] == 64ll << 20);
  CHECK(body["HostConfig"]["NanoCpus"] == 500'000'000);
  CHECK(body["HostConfig"]["Init"] == true);
  CHECK(body["HostConfig"]["LogConfig"] == nlohmann::json({{"Type", "json-file"},
                                                           {"Config", {{"max-size", "1m"}, {"max-file", "2"}}}}));
  CHECK(body["User"] == "app");
  CHECK(body["StopSignal"] == "SIGINT");
  // The migration sees the service's volumes, as its user.
  auto migration = agent::deploy::migration_spec(*plan.migration, {});
  CHECK(migration.container.binds == std::vector<std::string>{"data:/app/data", "/srv/up:/up:ro"});
  CHECK(migration.container.user == "app");
}

TEST_CASE("a rollback plans the spec its release recorded, a deploy plans today's", "[deploy]") {
  auto parsed = agent::config::parse_config(app_yaml("            memory: 64m\n"));
  REQUIRE(parsed.config);
  const auto& app = *parsed.config->find_app("acc");
  const auto& env = *app.find_environment("prod");
  proto::Release v1;
  v1.version = "v1";
  v1.specs["backend"].memory_bytes = 32ll << 20;
  v1.specs["backend"].volumes = {{"old", "/data", false}};
  // Through the release's JSON, as the store keeps it.
  auto recorded = proto::release_from_json(nlohmann::json::parse(proto::to_json(v1).dump()));
  agent::store::EnvState state;
  state.live_color = "blue";
  auto rollback = agent::deploy::plan_deployment(app, env, state, DeploymentKind::rollback, "v1", "d-2", {.recorded = recorded});
  CHECK(rollback.containers.at(0).spec.memory_bytes == 32ll << 20);
  CHECK(rollback.containers.at(0).spec.volumes.at(0).source == "old");
  auto deploy = agent::deploy::plan_deployment(app, env, state, DeploymentKind::deploy, "v1", "d-3", {.recorded = recorded});
  CHECK(deploy.containers.at(0).spec.memory_bytes == 64ll << 20);
}

TEST_CASE("byte sizes and volume texts", "[proto]") {
  CHECK(proto::parse_byte_size("512m") == 512ll << 20);
  CHECK(proto::parse_byte_size("2G") == 2ll << 30);
  CHECK(proto::parse_byte_size("100") == 100);
  CHECK(proto::parse_byte_size("10mb") == 10ll << 20);
  CHECK_FALSE(proto::parse_byte_size("-1m"));
  CHECK_FALSE(proto::parse_byte_size("1t"));
  CHECK_FALSE(proto::parse_byte_size(""));
  proto::VolumeMount v;
  CHECK_FALSE(proto::parse_volume("/a:/b:ro", v));
  CHECK(v.bind_text() == "/a:/b:ro");
  CHECK(proto::parse_volume("/a/../etc:/b", v));
  CHECK(proto::parse_volume("a:/b:ro:x", v));
}
