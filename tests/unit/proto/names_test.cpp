#include "proto/names.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using fical::proto::check_name;
using fical::proto::check_version;

TEST_CASE("app, env and service names follow ^[a-z0-9][a-z0-9-]{0,62}$", "[proto]") {
  for (const std::string& ok : std::vector<std::string>{"a", "filter-ical", "0day", "web-2", std::string(63, 'x')}) {
    INFO(ok);
    CHECK_FALSE(check_name("app", ok));
  }
  for (const std::string& bad : std::vector<std::string>{"", "-web", "Web", "web_1", "web.1", "a b", "web/..", std::string(64, 'x'),
                          std::string("we\0b", 4)}) {
    INFO(bad);
    auto error = check_name("app", bad);
    REQUIRE(error);
    CHECK(error->rfind("app: ", 0) == 0);
  }
}

TEST_CASE("name errors say what is wrong", "[proto]") {
  CHECK(*check_name("env", "") == "env: must not be empty");
  CHECK(*check_name("env", "prod_1") ==
        "env: \"prod_1\" may contain only lowercase letters, digits and '-'");
  CHECK(*check_name("service", "-x") ==
        "service: \"-x\" must start with a lowercase letter or digit");
}

TEST_CASE("versions follow Docker's tag grammar", "[proto]") {
  for (const std::string& ok : std::vector<std::string>{"v1", "v1.2.3", "1.0.0-rc.1", "_x", "sha-3f2a9c1", "LATEST",
                         std::string(128, 'a')}) {
    INFO(ok);
    CHECK_FALSE(check_version("version", ok));
  }
  for (const std::string& bad : std::vector<std::string>{"", ".v1", "-v1", "v1:latest", "v1 ", "a/b", "v1;rm -rf /", "$(id)",
                          std::string(129, 'a')}) {
    INFO(bad);
    auto error = check_version("version", bad);
    REQUIRE(error);
    CHECK(error->rfind("version: ", 0) == 0);
  }
}

TEST_CASE("error messages never echo control characters or huge values", "[proto]") {
  auto error = check_version("version", "bad\n\x1b[31mvalue" + std::string(500, 'z'));
  REQUIRE(error);
  CHECK(error->find('\n') == std::string::npos);
  CHECK(error->find('\x1b') == std::string::npos);
  CHECK(error->size() < 200);
}
