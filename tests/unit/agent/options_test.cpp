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

TEST_CASE("state check, dump and backup FILE are parsed", "[options]") {
  using fical::agent::StateCommand;
  auto check = fical::agent::parse_options({"fical-agent", "-c", "/etc/a.yaml", "state", "check"});
  REQUIRE(check.options);
  CHECK(check.options->state_command == StateCommand::check);
  CHECK(check.options->config_path == "/etc/a.yaml");
  auto dump = fical::agent::parse_options({"fical-agent", "state", "--state-dir", "/tmp/s", "dump"});
  REQUIRE(dump.options);
  CHECK(dump.options->state_command == StateCommand::dump);
  CHECK(dump.options->state_dir == "/tmp/s");
  auto backup = fical::agent::parse_options({"fical-agent", "state", "backup", "/root/b.db"});
  REQUIRE(backup.options);
  CHECK(backup.options->state_command == StateCommand::backup);
  CHECK(backup.options->backup_file == "/root/b.db");
  CHECK(fical::agent::parse_options({"fical-agent", "state", "backup"}).exit_code == 2);
  CHECK(fical::agent::parse_options({"fical-agent", "state"}).exit_code == 2);
  CHECK(fical::agent::parse_options({"fical-agent"}).options->state_command == StateCommand::none);
}
