#include "agent/router/process_runner.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::router;
using namespace std::chrono_literals;

TEST_CASE("a process's exit code and output are returned", "[router]") {
  SpawnProcessRunner runner;
  auto ok = runner.run({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5s);
  CHECK(ok.exit_code == 3);
  CHECK(ok.output == "out\nerr\n");
  CHECK_FALSE(ok.ok());
  CHECK(runner.run({"true"}, 5s).ok());
}

TEST_CASE("arguments are passed as they are, never through a shell", "[router]") {
  SpawnProcessRunner runner;
  auto result = runner.run({"echo", "$(id)", "a;b", "*"}, 5s);
  CHECK(result.output == "$(id) a;b *\n");
}

TEST_CASE("a process that outlives its deadline is killed", "[router]") {
  SpawnProcessRunner runner;
  auto started = std::chrono::steady_clock::now();
  auto result = runner.run({"sleep", "10"}, 200ms);
  CHECK(result.timed_out);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a missing program is an error naming it", "[router]") {
  SpawnProcessRunner runner;
  auto result = runner.run({"/nonexistent/fical-nope"}, 5s);
  CHECK_FALSE(result.ok());
  CHECK((result.exit_code == 127 || !result.error.empty()));
}
