#include "tests/support/child_process.hpp"

#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace std::chrono_literals;
using fical::testing::ChildProcess;
using fical::testing::run_to_end;
using fical::testing::SpawnOptions;
using Catch::Matchers::Contains;

TEST_CASE("a child given an exact environment sees only those variables", "[test-support]") {
  auto ran = run_to_end({"/usr/bin/env"}, {.exact_env = std::map<std::string, std::string>{{"ONLY", "this"}}}, 10s);
  CHECK(ran.exit_code == 0);
  CHECK(ran.out == "ONLY=this\n");
  CHECK(ran.err.empty());
}

TEST_CASE("a child inherits the environment with extra variables over it, found in PATH", "[test-support]") {
  auto ran = run_to_end({"env"}, {.extra_env = {{"FICAL_CHILD_TEST", "extra"}, {"HOME", "/elsewhere"}}}, 10s);
  CHECK(ran.exit_code == 0);
  CHECK_THAT(ran.out, Contains("FICAL_CHILD_TEST=extra\n"));
  CHECK_THAT(ran.out, Contains("PATH="));
  CHECK_THAT(ran.out, Contains("HOME=/elsewhere\n"));
  int homes = 0;
  std::istringstream lines(ran.out);
  for (std::string line; std::getline(lines, line);) homes += line.rfind("HOME=", 0) == 0;
  CHECK(homes == 1);
}

TEST_CASE("stdout and stderr are captured apart with the exit code", "[test-support]") {
  auto ran = run_to_end({"ls", "/nonexistent-fical-child-test"}, {}, 10s);
  CHECK(ran.exit_code == 2);
  CHECK(ran.out.empty());
  CHECK_THAT(ran.err, Contains("nonexistent-fical-child-test"));
}

TEST_CASE("a child still running at the limit is killed: exit code -1", "[test-support]") {
  auto ran = run_to_end({"sleep", "30"}, {}, 100ms);
  CHECK(ran.exit_code == -1);
  CHECK(ran.signal == 0);
  CHECK(ran.wall >= 100ms);
}

TEST_CASE("a child ended by a signal: 128 + signal", "[test-support]") {
  ChildProcess child({"sleep", "30"}, SpawnOptions{});
  ::kill(child.pid(), SIGTERM);
  auto ran = child.finish(10s);
  CHECK(ran.signal == SIGTERM);
  CHECK(ran.exit_code == 128 + SIGTERM);
}

TEST_CASE("with terminal_stdout the child's stdout is a terminal", "[test-support]") {
  CHECK(run_to_end({"test", "-t", "1"}, {.terminal_stdout = true}, 10s).exit_code == 0);
  CHECK(run_to_end({"test", "-t", "1"}, {}, 10s).exit_code == 1);
  CHECK(run_to_end({"echo", "seen"}, {.terminal_stdout = true}, 10s).out == "seen\r\n");
}

TEST_CASE("a program that cannot start: exit 127 when captured, an exception when logged", "[test-support]") {
  auto ran = run_to_end({"/nonexistent/fical-child-test"}, {}, 10s);
  CHECK(ran.exit_code == 127);
  CHECK_THAT(ran.err, Contains("cannot start /nonexistent/fical-child-test"));
  CHECK_THROWS(ChildProcess({"/nonexistent/fical-child-test"}));
}

TEST_CASE("a logging child appends stdout and stderr to its log", "[test-support]") {
  fical::testing::TempDir dir;
  auto log = dir.path() / "child.log";
  std::ofstream(log) << "before\n";
  ChildProcess child({"ls", "/", "/nonexistent-fical-child-test"}, log);
  CHECK(child.stop(0, 10s) == 2);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  CHECK_THAT(text.str(), Contains("before\n"));
  CHECK_THAT(text.str(), Contains("nonexistent-fical-child-test"));  // stderr
  CHECK_THAT(text.str(), Contains("usr"));                           // stdout
}
