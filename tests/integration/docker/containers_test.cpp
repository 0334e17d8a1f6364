// Containers against the real private dockerd: lifecycle, list and rename, exec, one-off
// runs (migrations), and the typed errors Docker's statuses map to.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "tests/integration/docker/docker_test_env.hpp"
#include "tests/support/processes.hpp"

using namespace fical::agent::docker;
using namespace fical::testing;
using namespace std::chrono_literals;

TEST_CASE("docker: create, start, inspect, stop and remove the test app", "[docker]") {
  auto port = free_port();
  auto name = unique_name("life");
  auto spec = app_spec(name, "v1", port);
  spec.restart_policy = "unless-stopped";
  auto id = docker().create_container(spec);
  ContainerGuard guard(id);

  auto created = docker().inspect_container(name);
  REQUIRE(created);
  CHECK(created->id == id);
  CHECK(created->name == name);
  CHECK(created->state.status == "created");
  CHECK(created->labels.at("fical.test") == name);
  CHECK(created->network_mode == "host");

  docker().start_container(id);
  CHECK_NOTHROW(docker().start_container(id));  // 304: already running
  CHECK(eventually([&] { return http_get(port, "/").body == "v1\n"; }, 10s));
  auto running = docker().inspect_container(id);
  REQUIRE(running);
  CHECK(running->state.running);
  CHECK(running->state.status == "running");
  CHECK(running->state.health.status.empty());  // no healthcheck in the image
  CHECK_FALSE(running->state.started_at.empty());
  CHECK(running->restart_count == 0);

  docker().stop_container(id, 1s);
  CHECK_NOTHROW(docker().stop_container(id, 1s));  // 304: already stopped
  auto stopped = docker().inspect_container(id);
  REQUIRE(stopped);
  CHECK_FALSE(stopped->state.running);
  CHECK(stopped->state.status == "exited");
  CHECK(http_get(port, "/", 500ms).status == 0);

  docker().remove_container(id, false);
  CHECK_FALSE(docker().inspect_container(id));
  CHECK_NOTHROW(docker().remove_container(id, true));  // 404: gone already
}

TEST_CASE("docker: a missing image and a taken name are typed http errors", "[docker]") {
  ContainerSpec spec;
  spec.name = unique_name("noimage");
  spec.image = "fical-no-such-image:v0";
  try {
    docker().create_container(spec);
    FAIL("create with a missing image succeeded");
  } catch (const DockerError& e) {
    CHECK(e.is_not_found());
    CHECK_THAT(e.docker_message(), Catch::Contains("fical-no-such-image"));
    CHECK_THAT(e.what(), Catch::Contains("POST /containers/create answered 404"));
  }
  auto taken = app_spec(unique_name("taken"), "v1", free_port());
  ContainerGuard guard(docker().create_container(taken));
  try {
    docker().create_container(taken);
    FAIL("create with a taken name succeeded");
  } catch (const DockerError& e) {
    CHECK(e.is_conflict());
  }
  CHECK_THROWS_AS(docker().start_container(unique_name("ghost")), DockerError);
}

TEST_CASE("docker: lists by label, renames, kills with a signal", "[docker]") {
  auto name = unique_name("list");
  auto spec = app_spec(name, "v1", free_port());
  spec.labels["fical.color"] = "blue";
  auto id = docker().create_container(spec);
  ContainerGuard guard(id);
  ContainerFilters filters;
  filters.labels = {"fical.test=" + name, "fical.color=blue"};
  auto listed = docker().list_containers(filters);
  REQUIRE(listed.size() == 1);
  CHECK(listed.front().id == id);
  CHECK(listed.front().name == name);
  CHECK(listed.front().state == "created");
  filters.labels = {"fical.test=" + name, "fical.color=green"};
  CHECK(docker().list_containers(filters).empty());

  docker().rename_container(id, name + "-old");
  REQUIRE(docker().inspect_container(id));
  CHECK(docker().inspect_container(id)->name == name + "-old");

  docker().start_container(id);
  docker().kill_container(id, "SIGKILL");
  CHECK(docker().wait_container(id, 10s) == 137);
  CHECK_NOTHROW(docker().kill_container(id, "SIGKILL"));  // 409: not running
}

TEST_CASE("docker: exec reports output and exit codes", "[docker]") {
  auto spec = app_spec(unique_name("exec"), "v1", free_port());
  auto id = docker().create_container(spec);
  ContainerGuard guard(id);
  docker().start_container(id);

  auto ok = docker().exec(id, {{"sh", "-c", "echo hello; echo $GREETING"}, {"GREETING=hi"}, "", 20s});
  CHECK(ok.exit_code == 0);
  CHECK(joined(ok.output, LogStream::out) == "hello\nhi");

  auto failed = docker().exec(id, {{"sh", "-c", "echo out; echo oops >&2; exit 3"}, {}, "", 20s});
  CHECK(failed.exit_code == 3);
  CHECK(joined(failed.output, LogStream::out) == "out");
  CHECK(joined(failed.output, LogStream::err) == "oops");
}

TEST_CASE("docker: run_once runs a migration to its end and removes the container",
          "[docker]") {
  RunSpec run;
  run.container.name = unique_name("migrate");
  run.container.image = test_image("v1");
  run.container.cmd = {"/app/migrate.sh"};
  run.timeout = 30s;
  SECTION("success") {
    auto result = docker().run_once(run);
    CHECK(result.exit_code == 0);
    CHECK_FALSE(result.timed_out);
    CHECK_THAT(joined(result.output), Catch::Contains("migrate: done"));
  }
  SECTION("failure") {
    run.container.env = {"MIGRATE_FAIL=1"};
    auto result = docker().run_once(run);
    CHECK(result.exit_code == 1);
    CHECK_FALSE(result.timed_out);
    CHECK_THAT(joined(result.output, LogStream::err), Catch::Contains("migration 0042 failed"));
  }
  SECTION("timeout: killed, reported, removed") {
    run.container.env = {"MIGRATE_SECONDS=60"};
    run.timeout = 1s;
    auto result = docker().run_once(run);
    CHECK(result.timed_out);
    CHECK(result.exit_code == 137);
    CHECK_THAT(joined(result.output), Catch::Contains("applying migrations"));
  }
  CHECK_FALSE(docker().inspect_container(run.container.name));
}

TEST_CASE("docker: one engine serves several threads at once", "[docker]") {
  auto name = unique_name("threads");
  auto id = docker().create_container(app_spec(name, "v1", free_port()));
  ContainerGuard guard(id);
  std::atomic<int> failures{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        try {
          ContainerFilters filters;
          filters.labels = {"fical.test=" + name};
          bool ok = docker().list_containers(filters).size() == 1 &&
                    docker().inspect_container(id).has_value() &&
                    !docker().version().negotiated_version.empty();
          if (!ok) failures++;
        } catch (const DockerError&) {
          failures++;
        }
        calls++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(calls == 100);
  CHECK(failures == 0);
}
