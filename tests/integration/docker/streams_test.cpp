// Logs and events against the real private dockerd.
#include <catch2/catch.hpp>
#include <ctime>

#include "tests/integration/docker/docker_test_env.hpp"
#include "tests/support/processes.hpp"

using namespace fical::agent::docker;
using namespace fical::testing;
using namespace std::chrono_literals;

namespace {

/// Runs `script` in a container to its end; the container stays for its logs.
std::string finished_container(const std::string& script, bool tty = false) {
  ContainerSpec spec;
  spec.name = unique_name("logs");
  spec.image = test_image("v1");
  spec.cmd = {"sh", "-c", script};
  spec.tty = tty;
  auto id = docker().create_container(spec);
  docker().start_container(id);
  REQUIRE(docker().wait_container(id, 20s) == 0);
  return id;
}

}  // namespace

TEST_CASE("docker: logs are demultiplexed, tailed and timestamped", "[docker]") {
  auto id = finished_container("for i in 1 2 3 4 5; do echo line$i; done; echo problem >&2");
  ContainerGuard guard(id);
  auto all = collect_logs(docker(), id, {});
  CHECK(joined(all, LogStream::out) == "line1\nline2\nline3\nline4\nline5");
  CHECK(joined(all, LogStream::err) == "problem");

  // Docker's tail counts lines of both streams, and the order of stdout and stderr lines
  // written at once is not fixed: tail a stdout-only container.
  auto quiet = finished_container("for i in 1 2 3 4 5; do echo line$i; done");
  ContainerGuard quiet_guard(quiet);
  LogOptions tail;
  tail.tail = 2;
  CHECK(joined(collect_logs(docker(), quiet, tail)) == "line4\nline5");

  LogOptions stamped;
  stamped.timestamps = true;
  stamped.include_stderr = false;
  auto lines = collect_logs(docker(), id, stamped);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].text == "line1");
  CHECK(lines[0].timestamp.size() > 20);
  CHECK(lines[0].timestamp[4] == '-');
}

TEST_CASE("docker: logs of a TTY container come raw", "[docker]") {
  auto id = finished_container("echo one; echo two", true);
  ContainerGuard guard(id);
  auto lines = collect_logs(docker(), id, {});
  CHECK(joined(lines) == "one\ntwo");  // the TTY's "\r\n" endings are cut too
}

TEST_CASE("docker: follows logs until the callback stops or the time is up", "[docker]") {
  auto port = free_port();
  auto id = docker().create_container(app_spec(unique_name("follow"), "v1", port));
  ContainerGuard guard(id);
  docker().start_container(id);
  LogOptions follow;
  follow.follow = true;
  follow.timeout = 20s;
  std::vector<LogLine> seen;
  auto end = docker().logs(id, follow, [&](const LogLine& line) {
    seen.push_back(line);
    return line.text.find("listening") == std::string::npos;
  });
  CHECK(end == StreamEnd::stopped);
  CHECK_THAT(joined(seen), Catch::Contains("booting on 127.0.0.1:" + std::to_string(port)));

  follow.timeout = 700ms;
  auto started = std::chrono::steady_clock::now();
  seen.clear();
  end = docker().logs(id, follow, [&](const LogLine& line) {
    seen.push_back(line);
    return true;
  });
  CHECK(end == StreamEnd::deadline);
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK_THAT(joined(seen), Catch::Contains("listening"));  // the history came first

  follow.timeout = 20s;  // a stopped container ends the stream
  docker().kill_container(id, "SIGKILL");
  CHECK(docker().logs(id, follow, {}) == StreamEnd::finished);
}

TEST_CASE("docker: events report a container's death with its exit code", "[docker]") {
  auto since = static_cast<std::int64_t>(std::time(nullptr)) - 1;
  auto name = unique_name("die");
  auto spec = app_spec(name, "v3-crash", free_port());
  auto id = docker().create_container(spec);
  ContainerGuard guard(id);
  docker().start_container(id);

  EventFilters filters;
  filters.types = {"container"};
  filters.events = {"die"};
  filters.labels = {"fical.test=" + name};
  filters.since = since;  // replays what happened before the stream opened
  std::vector<Event> events;
  auto end = docker().events(filters, 20s, [&](const Event& e) {
    events.push_back(e);
    return false;
  });
  CHECK(end == StreamEnd::stopped);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "container");
  CHECK(events[0].action == "die");
  CHECK(events[0].id == id);
  CHECK(events[0].attributes.at("exitCode") == "3");
  CHECK(events[0].attributes.at("name") == name);
}

TEST_CASE("docker: events report health with a healthcheck override", "[docker]") {
  auto since = static_cast<std::int64_t>(std::time(nullptr)) - 1;
  auto port = free_port();
  auto name = unique_name("health");
  auto spec = app_spec(name, "v1", port);
  spec.healthcheck = HealthcheckSpec{
      {"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:" + std::to_string(port) + "/health"},
      200ms, 2s, 0ms, 3};
  auto id = docker().create_container(spec);
  ContainerGuard guard(id);
  docker().start_container(id);

  EventFilters filters;
  filters.types = {"container"};
  filters.events = {"health_status"};
  filters.containers = {id};
  filters.since = since;
  std::string action;
  auto end = docker().events(filters, 30s, [&](const Event& e) {
    action = e.action;
    return false;
  });
  CHECK(end == StreamEnd::stopped);
  CHECK(action == "health_status: healthy");
  auto info = docker().inspect_container(id);
  REQUIRE(info);
  CHECK(info->state.health.status == "healthy");

  EventFilters none;
  none.labels = {"fical.test=" + unique_name("nobody")};
  CHECK(docker().events(none, 300ms, {}) == StreamEnd::deadline);
}
