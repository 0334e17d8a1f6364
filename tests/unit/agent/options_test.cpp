#include "agent/options.hpp"

#include <catch2/catch.hpp>

using fical::agent::parse_options;

TEST_CASE("the agent reads its config path from --config", "[agent]") {
  auto parsed = parse_options({"fical-agent", "--config", "/tmp/a.yaml"});
  REQUIRE(parsed.options);
  CHECK(parsed.options->config_path == "/tmp/a.yaml");
}

TEST_CASE("the agent defaults to /etc/fical/agent.yaml", "[agent]") {
  auto parsed = parse_options({"fical-agent"});
  REQUIRE(parsed.options);
  CHECK(parsed.options->config_path == "/etc/fical/agent.yaml");
}

TEST_CASE("the agent exits 0 after version or help and 2 on an unknown flag", "[agent]") {
  auto version = parse_options({"fical-agent", "--version"});
  CHECK_FALSE(version.options);
  CHECK(version.exit_code == 0);
  CHECK(version.output.rfind("fical-agent ", 0) == 0);

  auto help = parse_options({"fical-agent", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("--config") != std::string::npos);

  auto bad = parse_options({"fical-agent", "--nope"});
  CHECK_FALSE(bad.options);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("--nope") != std::string::npos);
}

TEST_CASE("the agent takes --check-config and --log-format text|json", "[agent]") {
  auto parsed = parse_options({"fical-agent", "--check-config", "--log-format", "json"});
  REQUIRE(parsed.options);
  CHECK(parsed.options->check_config);
  CHECK(parsed.options->log_format == fical::agent::LogFormat::json);
  CHECK(parse_options({"fical-agent"}).options->log_format == fical::agent::LogFormat::text);
  auto bad = parse_options({"fical-agent", "--log-format", "xml"});
  CHECK_FALSE(bad.options);
  CHECK(bad.exit_code == 2);
}
