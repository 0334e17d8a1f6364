#include "agent/canary/log_follower.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/test_env.hpp"

using namespace fical::agent::canary;
using fical::testing::TempDir;

namespace {

void append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

}  // namespace

TEST_CASE("the follower reads only appended lines and keeps a partial one", "[canary]") {
  TempDir dir;
  auto log = dir.path() / "access.json";
  append(log, "old line\n");
  LogFollower follower(log.string());
  CHECK(follower.poll().lines.empty());
  append(log, "one\ntw");
  CHECK(follower.poll().lines == std::vector<std::string>{"one"});
  append(log, "o\nthree\n");
  CHECK(follower.poll().lines == std::vector<std::string>{"two", "three"});
}

TEST_CASE("the follower reads a renamed file to its end, then the new one", "[canary]") {
  TempDir dir;
  auto log = dir.path() / "access.json";
  append(log, "");
  LogFollower follower(log.string());
  append(log, "a\n");
  std::filesystem::rename(log, dir.path() / "access.json.1");
  append(dir.path() / "access.json.1", "b\n");  // nginx writes on until it reopens
  append(log, "c\n");
  auto got = follower.poll();
  CHECK(got.rotated);
  CHECK(got.lines == std::vector<std::string>{"a", "b", "c"});
  append(log, "d\n");
  CHECK(follower.poll().lines == std::vector<std::string>{"d"});
}

TEST_CASE("the follower starts again after a truncation and waits for a missing file", "[canary]") {
  TempDir dir;
  auto log = dir.path() / "access.json";
  LogFollower follower(log.string());
  CHECK(follower.poll().missing);
  append(log, "first\nsecond\n");
  CHECK(follower.poll().lines == std::vector<std::string>{"first", "second"});
  std::filesystem::resize_file(log, 0);  // copytruncate
  append(log, "x\n");
  auto got = follower.poll();
  CHECK(got.rotated);
  CHECK(got.lines == std::vector<std::string>{"x"});
}

TEST_CASE("the follower's memory is bounded: long lines dropped, reads capped", "[canary]") {
  TempDir dir;
  auto log = dir.path() / "access.json";
  append(log, "");
  LogFollower follower(log.string(), false, 8, 16);
  append(log, std::string(20, 'x') + "\nok\n" + std::string(30, 'y') + "\nlast\n");
  std::vector<std::string> lines;
  std::size_t dropped = 0;
  for (int i = 0; i < 10; ++i) {
    auto got = follower.poll();
    lines.insert(lines.end(), got.lines.begin(), got.lines.end());
    dropped += got.dropped_long;
  }
  CHECK(lines == std::vector<std::string>{"ok", "last"});
  CHECK(dropped == 2);
}

TEST_CASE("between a rename and nginx's reopen the follower reads the renamed file", "[canary]") {
  TempDir dir;
  auto log = dir.path() / "access.json";
  append(log, "");
  LogFollower follower(log.string());
  std::filesystem::rename(log, dir.path() / "access.json.1");
  append(dir.path() / "access.json.1", "during\n");
  auto gap = follower.poll();
  CHECK(gap.missing);
  CHECK(gap.lines == std::vector<std::string>{"during"});
  append(dir.path() / "access.json.1", "last old\n");
  append(log, "new\n");  // nginx reopened
  auto after = follower.poll();
  CHECK(after.rotated);
  CHECK(after.lines == std::vector<std::string>{"last old", "new"});
}
