#include "agent/config/env_file.hpp"

#include <catch2/catch.hpp>

using fical::agent::config::parse_env_file;

namespace {
std::optional<std::string> lookup(const std::string& key) {
  if (key == "FROM_AGENT") return std::string("agent-value");
  return std::nullopt;
}
}  // namespace

TEST_CASE("env files are read like docker --env-file", "[config]") {
  auto result = parse_env_file(
      "# comment\n\nDATABASE_URL=postgres://u:p@db/x?a=b\n  INDENTED=yes\nQUOTED=\"kept\"\n"
      "EMPTY=\nFROM_AGENT\nUNSET_IN_AGENT\nCRLF=1\r\n",
      lookup);
  REQUIRE(result.error.empty());
  using V = std::vector<std::pair<std::string, std::string>>;
  CHECK(result.variables == V{{"DATABASE_URL", "postgres://u:p@db/x?a=b"},
                              {"INDENTED", "yes"},
                              {"QUOTED", "\"kept\""},
                              {"EMPTY", ""},
                              {"FROM_AGENT", "agent-value"},
                              {"CRLF", "1"}});
}

TEST_CASE("a bad env file line names the line, never the value", "[config]") {
  auto result = parse_env_file("OK=1\nBAD KEY=secret-value\n", lookup);
  CHECK(result.error == "line 2: the variable name is empty or has whitespace");
  CHECK(result.error.find("secret") == std::string::npos);
  CHECK(result.variables.empty());
  CHECK(parse_env_file("=x", lookup).error == "line 1: the variable name is empty or has whitespace");
}
