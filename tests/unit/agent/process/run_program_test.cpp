#include "agent/process/run_program.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <thread>

#include "tests/support/test_env.hpp"

using namespace fical::agent::process;
using namespace std::chrono_literals;

TEST_CASE("stderr can be kept apart from stdout", "[process]") {
  auto result = run_program({"sh", "-c", "echo out; echo err >&2; exit 4"}, 5s, {.separate_stderr = true});
  CHECK(result.exit_code == 4);
  CHECK(result.out == "out\n");
  CHECK(result.err == "err\n");
}

TEST_CASE("output keeps its tail, or stops the child when it must be whole", "[process]") {
  const std::vector<std::string> chatty = {"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo -n END"};
  auto tail = run_program(chatty, 5s, {.max_out = 1024});
  CHECK(tail.ok());
  CHECK(tail.out.size() == 1024);
  CHECK(tail.out.ends_with("END"));

  auto whole = run_program(chatty, 5s, {.max_out = 1024, .fail_when_out_full = true});
  CHECK_FALSE(whole.ok());
  CHECK(whole.exit_code == -1);
  CHECK_FALSE(whole.error.empty());
}

TEST_CASE("the deadline kills the child's own children in its process group", "[process]") {
  fical::testing::TempDir dir;
  auto marker = dir.path() / "grandchild-survived";
  // The grandchild holds the pipe open; without the group kill the read would wait for it.
  auto started = std::chrono::steady_clock::now();
  auto result = run_program({"sh", "-c", "(sleep 0.4; touch " + marker.string() + ") & sleep 10"}, 100ms,
                            {.own_process_group = true});
  CHECK(result.timed_out);
  CHECK(std::chrono::steady_clock::now() - started < 350ms);
  std::this_thread::sleep_for(800ms);
  CHECK_FALSE(std::filesystem::exists(marker));
}

TEST_CASE("without PATH lookup, argv[0] must be a path", "[process]") {
  auto result = run_program({"true"}, 5s, {.search_path = false});
  CHECK_FALSE(result.ok());
  CHECK(run_program({"/bin/true"}, 5s, {.search_path = false}).ok());
}
