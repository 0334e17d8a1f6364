#include "agent/docker/parse.hpp"

#include <catch2/catch.hpp>

#include "agent/docker/docker_error.hpp"

using namespace fical::agent::docker;
using nlohmann::json;

TEST_CASE("docker parse: container inspect, unknown fields ignored", "[docker]") {
  auto body = R"({
    "Id": "c0ffee", "Name": "/web-blue", "Image": "sha256:1", "RestartCount": 2,
    "SomethingNew": {"x": 1},
    "Config": {"Image": "app:v1", "Labels": {"fical.app": "web"}, "Env": ["A=1"], "Tty": false},
    "HostConfig": {"NetworkMode": "host"},
    "State": {"Status": "running", "Running": true, "ExitCode": 0, "Pid": 42,
              "StartedAt": "2024-05-01T10:00:00Z",
              "Health": {"Status": "unhealthy", "FailingStreak": 3,
                         "Log": [{"Output": "first"}, {"Output": "connection refused"}]}},
    "NetworkSettings": {"Networks": {"host": {}, "platform": {"Aliases": ["backend"]}},
                        "Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
                                  "81/tcp": null}}
  })";
  auto c = parse::container_info(body);
  CHECK(c.id == "c0ffee");
  CHECK(c.name == "web-blue");
  CHECK(c.image_ref == "app:v1");
  CHECK(c.labels.at("fical.app") == "web");
  CHECK(c.restart_count == 2);
  CHECK(c.network_mode == "host");
  CHECK(c.networks == std::vector<std::string>{"host", "platform"});
  CHECK(c.network_aliases.at("platform") == std::vector<std::string>{"backend"});
  REQUIRE(c.ports.size() == 1);
  CHECK(c.ports[0].host_port == 8080);
  CHECK(c.state.running);
  CHECK(c.state.status == "running");
  CHECK(c.state.pid == 42);
  CHECK(c.state.health.status == "unhealthy");
  CHECK(c.state.health.failing_streak == 3);
  CHECK(c.state.health.last_output == "connection refused");
}

TEST_CASE("docker parse: a container without a healthcheck has no health status", "[docker]") {
  auto c = parse::container_info(R"({"State": {"Status": "exited", "ExitCode": 3}})");
  CHECK(c.state.health.status.empty());
  CHECK(c.state.exit_code == 3);
  CHECK_FALSE(c.state.running);
}

TEST_CASE("docker parse: bad bodies are malformed errors naming the call", "[docker]") {
  try {
    parse::container_info("<html>");
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::malformed);
    CHECK_THAT(e.what(), Catch::Contains("GET /containers/{id}/json"));
  }
  CHECK_THROWS_AS(parse::container_summaries(R"({"not": "a list"})"), DockerError);
  CHECK_THROWS_AS(parse::created_id(R"({"Warnings": []})", "POST /containers/create"), DockerError);
  CHECK_THROWS_AS(parse::wait_status("{}"), DockerError);
  // A field of an unexpected type is ignored rather than fatal.
  CHECK(parse::container_info(R"({"Id": 5, "State": "weird"})").id.empty());
}

TEST_CASE("docker parse: lists, images, version, networks, exec and wait", "[docker]") {
  auto list = parse::container_summaries(
      R"([{"Id": "a", "Names": ["/web-blue"], "State": "running", "Labels": {"k": "v"}}])");
  REQUIRE(list.size() == 1);
  CHECK(list[0].name == "web-blue");
  CHECK(list[0].labels.at("k") == "v");
  auto image = parse::image_info(
      R"({"Id": "sha256:1", "RepoDigests": ["r/app@sha256:2"], "Config": {"Labels": null}})");
  CHECK(image.repo_digests == std::vector<std::string>{"r/app@sha256:2"});
  CHECK(image.labels.empty());
  auto v = parse::version(R"({"Version": "20.10.24", "ApiVersion": "1.41", "MinAPIVersion": "1.12"})");
  CHECK(v.api_version == "1.41");
  CHECK(v.min_api_version == "1.12");
  auto distribution = parse::distribution_info(
      R"({"Descriptor": {"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
          "digest": "sha256:abc", "size": 528}, "Platforms": [{"architecture": "amd64", "os": "linux"}]})");
  CHECK(distribution.digest == "sha256:abc");
  CHECK(distribution.media_type == "application/vnd.docker.distribution.manifest.v2+json");
  auto daemon = parse::daemon_info(R"({"Name": "host", "DockerRootDir": "/var/lib/docker", "Driver": "overlay2"})");
  CHECK(daemon.docker_root_dir == "/var/lib/docker");
  CHECK(daemon.storage_driver == "overlay2");
  auto n = parse::network_info(R"({"Id": "n1", "Name": "platform", "Containers": {"c1": {"Name": "web"}}})");
  CHECK(n.containers.at("c1") == "web");
  CHECK(parse::exec_exit_code(R"({"Running": true, "ExitCode": null})") == std::nullopt);
  CHECK(parse::exec_exit_code(R"({"Running": false, "ExitCode": 3})") == 3);
  CHECK(parse::wait_status(R"({"StatusCode": 137})") == 137);
  CHECK_THROWS_AS(parse::wait_status(R"({"StatusCode": 0, "Error": {"Message": "boom"}})"),
                  DockerError);
}

TEST_CASE("docker parse: progress, build output and errors inside the stream", "[docker]") {
  auto p = parse::pull_progress(
      json::parse(R"({"status": "Downloading", "id": "a1", "progressDetail": {"current": 5, "total": 10}})"));
  CHECK(p.status == "Downloading");
  CHECK(p.id == "a1");
  CHECK(p.current == 5);
  CHECK(p.total == 10);
  try {
    parse::pull_progress(json::parse(
        R"({"errorDetail": {"message": "manifest unknown"}, "error": "manifest unknown"})"));
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::stream);
    CHECK(e.docker_message() == "manifest unknown");
  }
  CHECK_THROWS_AS(parse::pull_progress(json::parse(R"({"error": "old style"})")), DockerError);
  auto b = parse::build_output(json::parse(R"({"aux": {"ID": "sha256:9"}})"));
  CHECK(b.image_id == "sha256:9");
  CHECK(parse::build_output(json::parse(R"({"stream": "Step 1/2\n"})")).stream == "Step 1/2\n");
  CHECK_THROWS_AS(parse::build_output(json::parse(
                      R"({"errorDetail": {"code": 7, "message": "returned a non-zero code: 7"}})")),
                  DockerError);
}

TEST_CASE("docker parse: events", "[docker]") {
  auto e = parse::event(json::parse(R"({"Type": "container", "Action": "health_status: healthy",
      "Actor": {"ID": "c1", "Attributes": {"name": "web", "fical.app": "web"}},
      "timeNano": 1700000000000000000})"));
  CHECK(e.type == "container");
  CHECK(e.action == "health_status: healthy");
  CHECK(e.id == "c1");
  CHECK(e.attributes.at("fical.app") == "web");
  CHECK(e.time_nano == 1700000000000000000);
}
