#include "agent/docker/requests.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace fical::agent::docker;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json body(const Request& r) { return json::parse(r.body); }

std::string decode_query_value(const std::string& target, const std::string& key) {
  auto at = target.find(key + "=");
  if (at == std::string::npos) return "<absent>";
  auto start = at + key.size() + 1;
  auto raw = target.substr(start, target.find('&', start) - start);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() + 1) {
      out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("docker requests: versioned targets, except /_ping", "[docker]") {
  CHECK(versioned_target("1.41", "/containers/json") == "/v1.41/containers/json");
  CHECK(versioned_target("1.44", "/_ping") == "/_ping");
}

TEST_CASE("docker requests: base64url with padding and the registry auth header", "[docker]") {
  CHECK(base64url("") == "");
  CHECK(base64url("f") == "Zg==");
  CHECK(base64url("fo") == "Zm8=");
  CHECK(base64url("foo") == "Zm9v");
  CHECK(base64url("\xfb\xff") == "-_8=");  // url alphabet, not + and /
  auto header = registry_auth_header({"u", "p", "ghcr.io"});
  CHECK(header == base64url(R"({"password":"p","serveraddress":"ghcr.io","username":"u"})"));
}

TEST_CASE("docker requests: pull always names a tag and carries auth when given", "[docker]") {
  auto r = requests::pull({"127.0.0.1:5000/fical/app", "", {}});
  CHECK(r.method == "POST");
  CHECK(decode_query_value(r.target, "fromImage") == "127.0.0.1:5000/fical/app");
  CHECK(decode_query_value(r.target, "tag") == "latest");
  CHECK(r.header("X-Registry-Auth").empty());
  auto authed = requests::pull({"ghcr.io/o/app", "v1.2.3", RegistryAuth{"u", "secret", "ghcr.io"}});
  CHECK(decode_query_value(authed.target, "tag") == "v1.2.3");
  CHECK(authed.header("x-registry-auth") == registry_auth_header({"u", "secret", "ghcr.io"}));
  CHECK(authed.describe() == "POST /images/create");  // never the secret
  CHECK_THROWS_AS(requests::pull({"", "v1", {}}), std::invalid_argument);
}

TEST_CASE("docker requests: distribution asks the registry for a digest, with auth when given", "[docker]") {
  auto r = requests::distribution("127.0.0.1:5000/fical/app:v2", std::nullopt);
  CHECK(r.method == "GET");
  CHECK(r.target == "/distribution/127.0.0.1:5000/fical/app:v2/json");
  CHECK(r.header("X-Registry-Auth").empty());
  auto authed = requests::distribution("ghcr.io/o/app:v1", RegistryAuth{"u", "secret", "ghcr.io"});
  CHECK(authed.header("X-Registry-Auth") == registry_auth_header({"u", "secret", "ghcr.io"}));
}

TEST_CASE("docker requests: container create for host networking", "[docker]") {
  ContainerSpec spec;
  spec.name = "web-staging-backend-blue";
  spec.image = "ghcr.io/o/app:v1";
  spec.env = {"PORT=3000"};
  spec.labels = {{"fical.app", "web"}};
  spec.cmd = {"/app/start.sh"};
  spec.restart_policy = "unless-stopped";
  spec.healthcheck = HealthcheckSpec{{"CMD", "true"}, 2s, 500ms, 10s, 3};
  spec.ports = {{3000, "tcp", "127.0.0.1", 8080}};  // dropped: host networking
  auto r = requests::create_container(spec);
  CHECK(r.method == "POST");
  CHECK(r.target == "/containers/create?name=web-staging-backend-blue");
  CHECK(r.header("Content-Type") == "application/json");
  auto b = body(r);
  CHECK(b["Image"] == "ghcr.io/o/app:v1");
  CHECK(b["Env"] == json{"PORT=3000"});
  CHECK(b["Labels"]["fical.app"] == "web");
  CHECK(b["Cmd"] == json{"/app/start.sh"});
  CHECK_FALSE(b.contains("Entrypoint"));
  CHECK(b["HostConfig"]["NetworkMode"] == "host");
  CHECK(b["HostConfig"]["RestartPolicy"] == json{{"Name", "unless-stopped"}});
  CHECK_FALSE(b["HostConfig"].contains("PortBindings"));
  CHECK_FALSE(b.contains("NetworkingConfig"));
  CHECK(b["Healthcheck"]["Test"] == json{"CMD", "true"});
  CHECK(b["Healthcheck"]["Interval"] == 2'000'000'000LL);  // nanoseconds
  CHECK(b["Healthcheck"]["Timeout"] == 500'000'000LL);
  CHECK(b["Healthcheck"]["StartPeriod"] == 10'000'000'000LL);
  CHECK(b["Healthcheck"]["Retries"] == 3);
}

TEST_CASE("docker requests: container create on a named network with aliases and ports",
          "[docker]") {
  ContainerSpec spec;
  spec.image = "app:v1";
  spec.network = "platform";
  spec.network_aliases = {"backend"};
  spec.ports = {{3000, "tcp", "127.0.0.1", 0}};
  spec.restart_policy = "on-failure";
  spec.restart_max_retries = 5;
  auto r = requests::create_container(spec);
  CHECK(r.target == "/containers/create");  // no name: Docker picks one
  auto b = body(r);
  CHECK(b["HostConfig"]["NetworkMode"] == "platform");
  CHECK(b["NetworkingConfig"]["EndpointsConfig"]["platform"]["Aliases"] == json{"backend"});
  CHECK(b["HostConfig"]["PortBindings"]["3000/tcp"] ==
        json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", ""}}}));
  CHECK(b["ExposedPorts"].contains("3000/tcp"));
  CHECK(b["HostConfig"]["RestartPolicy"]["MaximumRetryCount"] == 5);
  CHECK_THROWS_AS(requests::create_container(ContainerSpec{}), std::invalid_argument);
}

TEST_CASE("docker requests: container lifecycle targets", "[docker]") {
  CHECK(requests::start_container("abc").target == "/containers/abc/start");
  CHECK(requests::stop_container("abc", 10s).target == "/containers/abc/stop?t=10");
  CHECK(requests::kill_container("abc", "SIGTERM").target == "/containers/abc/kill?signal=SIGTERM");
  CHECK(requests::remove_container("abc", true).method == "DELETE");
  CHECK(requests::remove_container("abc", true).target == "/containers/abc?force=1");
  CHECK(requests::remove_container("abc", false).target == "/containers/abc");
  CHECK(requests::inspect_container("abc").target == "/containers/abc/json");
  CHECK(requests::rename_container("abc", "new").target == "/containers/abc/rename?name=new");
  CHECK(requests::wait_container("abc").target == "/containers/abc/wait?condition=not-running");
  // Whatever the caller passes stays one path segment.
  CHECK(requests::inspect_container("../../x?y").target == "/containers/..%2F..%2Fx%3Fy/json");
  CHECK_THROWS_AS(requests::start_container(""), std::invalid_argument);
  CHECK_THROWS_AS(requests::inspect_image("../../containers/x"), std::invalid_argument);
}

TEST_CASE("docker requests: list filters are URL-encoded JSON", "[docker]") {
  auto r = requests::list_containers({{"fical.app=web", "fical.env"}, "", true});
  CHECK(r.target.rfind("/containers/json?all=1&filters=", 0) == 0);
  CHECK(json::parse(decode_query_value(r.target, "filters")) ==
        json{{"label", {{"fical.app=web", true}, {"fical.env", true}}}});
  CHECK(requests::list_containers({{}, "", false}).target == "/containers/json");
  auto images = requests::list_images({{}, "ghcr.io/o/app", false});
  CHECK(json::parse(decode_query_value(images.target, "filters")) ==
        json{{"reference", {{"ghcr.io/o/app", true}}}});
}

TEST_CASE("docker requests: images", "[docker]") {
  CHECK(requests::inspect_image("ghcr.io/o/app:v1").target == "/images/ghcr.io/o/app:v1/json");
  CHECK(requests::tag_image("sha256:ab", "repo/x", "v2").target ==
        "/images/sha256:ab/tag?repo=repo%2Fx&tag=v2");
  CHECK(requests::remove_image("app:v1", false).target == "/images/app:v1");
}

TEST_CASE("docker requests: exec, logs and events", "[docker]") {
  auto create = requests::create_exec("c1", {{"sh", "-c", "exit 3"}, {"A=1"}, "", 10s});
  CHECK(create.target == "/containers/c1/exec");
  auto b = body(create);
  CHECK(b["Cmd"] == json{"sh", "-c", "exit 3"});
  CHECK(b["AttachStdout"] == true);
  CHECK(b["AttachStderr"] == true);
  CHECK(b["Env"] == json{"A=1"});
  CHECK(body(requests::start_exec("e1")) == json{{"Detach", false}, {"Tty", false}});
  CHECK(requests::inspect_exec("e1").target == "/exec/e1/json");

  LogOptions logs;
  logs.tail = 50;
  logs.since = 1700000000;
  logs.timestamps = true;
  logs.follow = true;
  CHECK(requests::logs("c1", logs).target ==
        "/containers/c1/logs?stdout=1&stderr=1&timestamps=1&follow=1&tail=50&since=1700000000");
  CHECK(requests::logs("c1", {}).target == "/containers/c1/logs?stdout=1&stderr=1&tail=all");

  EventFilters filters;
  filters.types = {"container"};
  filters.events = {"die", "health_status"};
  filters.labels = {"fical.app=web"};
  auto events = requests::events(filters);
  CHECK(json::parse(decode_query_value(events.target, "filters")) ==
        json{{"type", {{"container", true}}},
             {"event", {{"die", true}, {"health_status", true}}},
             {"label", {{"fical.app=web", true}}}});
}

TEST_CASE("docker requests: build with the legacy builder and a tar body", "[docker]") {
  BuildOptions options;
  options.tags = {"app:v1", "app:latest"};
  options.target = "production";
  options.buildargs = {{"VERSION", "1.2.3"}};
  options.labels = {{"fical.app", "web"}};
  auto r = requests::build(options, "TARBYTES");
  CHECK(r.method == "POST");
  CHECK(r.header("Content-Type") == "application/x-tar");
  CHECK(r.body == "TARBYTES");
  CHECK(r.target.find("t=app%3Av1&t=app%3Alatest") != std::string::npos);
  CHECK(decode_query_value(r.target, "target") == "production");
  CHECK(decode_query_value(r.target, "version") == "1");
  CHECK(json::parse(decode_query_value(r.target, "buildargs")) == json{{"VERSION", "1.2.3"}});
  CHECK(json::parse(decode_query_value(r.target, "labels")) == json{{"fical.app", "web"}});
}

TEST_CASE("docker requests: networks", "[docker]") {
  CHECK(requests::inspect_network("platform").target == "/networks/platform");
  auto connect = requests::connect_network("platform", "c1", {"backend"});
  CHECK(connect.target == "/networks/platform/connect");
  CHECK(body(connect) ==
        json{{"Container", "c1"}, {"EndpointConfig", {{"Aliases", json{"backend"}}}}});
}
