#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "client/settings.hpp"

using namespace fical::client;

TEST_CASE("settings: flags win over the environment, which wins over the config file",
          "[client][settings]") {
  SettingsLayer flags{"unix:/flag.sock", "", "/flag-token"};
  SettingsLayer environment{"http://127.0.0.1:1", "env-token", "/env-token-file"};
  SettingsLayer config{"https://config:7443", "", "/config-token"};
  auto all = resolve_settings(flags, environment, config, "/etc/fical/client.yaml");
  CHECK(all.url == "unix:/flag.sock");
  CHECK(all.url_source == "--url");
  CHECK(all.token_file == "/flag-token");
  CHECK(all.token.empty());
  CHECK(all.token_source == "--token-file");

  auto no_flags = resolve_settings({}, environment, config, "/etc/fical/client.yaml");
  CHECK(no_flags.url == "http://127.0.0.1:1");
  CHECK(no_flags.token == "env-token");  // FICAL_TOKEN beats FICAL_TOKEN_FILE
  CHECK(no_flags.token_file.empty());
  CHECK(no_flags.token_source == "FICAL_TOKEN");

  auto file_only = resolve_settings({}, {}, config, "/etc/fical/client.yaml");
  CHECK(file_only.url == "https://config:7443");
  CHECK(file_only.url_source == "/etc/fical/client.yaml");
  CHECK(file_only.token_file == "/config-token");

  auto defaults = resolve_settings({}, {}, {}, "/etc/fical/client.yaml");
  CHECK(defaults.url == "http://127.0.0.1:7070");
  CHECK(defaults.url_source == "default");
  CHECK(defaults.token_source.empty());
}

TEST_CASE("client.yaml: url and token_file, nothing else", "[client][settings]") {
  auto good = parse_client_config("url: unix:/run/fical/agent.sock\ntoken_file: /etc/fical/token\n", "c.yaml");
  REQUIRE(std::holds_alternative<SettingsLayer>(good));
  CHECK(std::get<SettingsLayer>(good).url == "unix:/run/fical/agent.sock");
  CHECK(std::get<SettingsLayer>(good).token_file == "/etc/fical/token");
  CHECK(std::holds_alternative<SettingsLayer>(parse_client_config("", "c.yaml")));

  auto unknown = parse_client_config("url: x\ntoken: secret\n", "c.yaml");
  REQUIRE(std::holds_alternative<std::string>(unknown));
  CHECK(std::get<std::string>(unknown).find("unknown key \"token\"") != std::string::npos);
  CHECK(std::holds_alternative<std::string>(parse_client_config("[1, 2]", "c.yaml")));
  CHECK(std::holds_alternative<std::string>(parse_client_config("url: [a]", "c.yaml")));
  CHECK(std::holds_alternative<std::string>(parse_client_config("url: 'x", "c.yaml")));
}

TEST_CASE("a missing config file is fine unless asked for", "[client][settings]") {
  CHECK(std::holds_alternative<SettingsLayer>(load_client_config("/nonexistent/client.yaml", false)));
  CHECK(std::holds_alternative<std::string>(load_client_config("/nonexistent/client.yaml", true)));
}

TEST_CASE("token file mode: readable by group or others is refused", "[client][settings]") {
  CHECK_FALSE(check_token_file_mode("/t", 0100600));
  CHECK_FALSE(check_token_file_mode("/t", 0100400));
  auto others = check_token_file_mode("/t", 0100644);
  REQUIRE(others);
  CHECK(others->find("readable by its group and others (mode 0644)") != std::string::npos);
  CHECK(others->find("chmod 600 /t") != std::string::npos);
  CHECK(check_token_file_mode("/t", 0100640)->find("by its group (mode 0640)") != std::string::npos);
  CHECK(check_token_file_mode("/t", 0100604)->find("by others (mode 0604)") != std::string::npos);
}

TEST_CASE("token file: read, trimmed, checked, and messages never hold the token",
          "[client][settings]") {
  auto dir = std::filesystem::temp_directory_path() / ("fical-client-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "token").string();
  std::ofstream(path) << "s3cret-token\n";

  ::chmod(path.c_str(), 0600);
  auto ok = read_token_file(path);
  CHECK(ok.error.empty());
  CHECK(ok.token == "s3cret-token");

  ::chmod(path.c_str(), 0644);
  auto refused = read_token_file(path);
  CHECK(refused.token.empty());
  CHECK(refused.error.find("readable by") != std::string::npos);
  CHECK(refused.error.find("s3cret") == std::string::npos);

  std::ofstream(path) << "two words\n";
  ::chmod(path.c_str(), 0600);
  auto spaced = read_token_file(path);
  CHECK(spaced.error.find("spaces or control characters") != std::string::npos);
  CHECK(spaced.error.find("words") == std::string::npos);

  CHECK(read_token_file((dir / "missing").string()).error.find("No such file") != std::string::npos);
  CHECK(read_token_file(dir.string()).error.find("not a regular file") != std::string::npos);
  std::filesystem::remove_all(dir);
}
