#include "agent/deploy/required_env.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::deploy;
using Keys = std::vector<std::string>;

TEST_CASE("required env: the label names keys separated by commas or whitespace", "[deploy]") {
  auto parsed = parse_required_env(" DATABASE_URL, SECRET_KEY\tsmtp_host\n_X1,,DATABASE_URL ");
  CHECK(parsed.keys == Keys{"DATABASE_URL", "SECRET_KEY", "smtp_host", "_X1"});
  CHECK(parsed.invalid.empty());
  CHECK(parse_required_env("").keys.empty());
  CHECK(parse_required_env(" , ").keys.empty());
}

TEST_CASE("required env: words that are not key names are reported, not required", "[deploy]") {
  auto parsed = parse_required_env("GOOD 1BAD BAD-DASH A=B");
  CHECK(parsed.keys == Keys{"GOOD"});
  CHECK(parsed.invalid == Keys{"1BAD", "BAD-DASH", "A=B"});
}

TEST_CASE("required env: a key is set by the env_file or the service's env, even when empty", "[deploy]") {
  EnvVars file{{"DATABASE_URL", "postgres://x"}, {"EMPTY", ""}};
  std::map<std::string, std::string> env{{"PORT", "8080"}};
  CHECK(missing_env_keys({"DATABASE_URL", "EMPTY", "PORT"}, file, env).empty());
  CHECK(missing_env_keys({"PORT", "SECRET_KEY", "DATABASE_URL", "SMTP"}, file, env) == Keys{"SECRET_KEY", "SMTP"});
  CHECK(missing_env_keys({"A"}, {}, {}) == Keys{"A"});
}
