#include "agent/docker/json_lines.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::docker;

namespace {

const std::string progress =
    "{\"status\":\"Pulling from fical/test-app\",\"id\":\"v1\"}\r\n"
    "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":512,\"total\":1024},\"id\":\"a1\"}\r\n"
    "{\"status\":\"Digest: sha256:0123\"}\r\n";

}  // namespace

TEST_CASE("json lines: objects come out whole however the bytes are split", "[docker]") {
  for (std::size_t step = 1; step <= progress.size(); ++step) {
    JsonLineSplitter splitter;
    std::vector<nlohmann::json> out;
    for (std::size_t i = 0; i < progress.size(); i += step) {
      for (auto& o : splitter.feed(std::string_view(progress).substr(i, step))) out.push_back(o);
    }
    CHECK(splitter.finish().empty());
    REQUIRE(out.size() == 3);
    CHECK(out[1]["progressDetail"]["current"] == 512);
    CHECK(out[2]["status"] == "Digest: sha256:0123");
  }
}

TEST_CASE("json lines: a last line without newline comes at finish, blank lines are skipped",
          "[docker]") {
  JsonLineSplitter splitter;
  CHECK(splitter.feed("\n\r\n  \n{\"a\":1}").empty());
  auto last = splitter.finish();
  REQUIRE(last.size() == 1);
  CHECK(last[0]["a"] == 1);
}

TEST_CASE("json lines: a truncated or non-object line is a malformed error", "[docker]") {
  JsonLineSplitter truncated;
  CHECK(truncated.feed("{\"status\":\"Down").empty());
  CHECK_THROWS_AS(truncated.finish(), DockerError);
  JsonLineSplitter garbage;
  try {
    garbage.feed("not json\n");
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::malformed);
  }
  JsonLineSplitter array;
  CHECK_THROWS_AS(array.feed("[1,2]\n"), DockerError);
}

TEST_CASE("json lines: a line over the limit is an error, not unbounded memory", "[docker]") {
  JsonLineSplitter splitter(64);
  CHECK(splitter.feed(std::string(40, ' ')).empty());
  try {
    splitter.feed(std::string(40, 'x'));
    FAIL("no error");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::malformed);
    CHECK_THAT(e.what(), Catch::Contains("longer than 64"));
  }
  JsonLineSplitter exact(8);
  CHECK(exact.feed("{\"a\":12}\n").size() == 1);  // 8 bytes: at the limit is fine
}
