// The real fical-client against nothing, against a real fical-agent (TCP, unix socket, TLS).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/client/programs.hpp"

using namespace fical::client::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

const std::vector<std::string> kDeploy{"deploy", "--app", "web", "--env", "staging", "--version", "v2"};

std::vector<std::string> with(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

TEST_CASE("help on every subcommand has examples and the exit codes", "[client]") {
  auto top = run_client({"--help"});
  CHECK(top.exit_code == 0);
  for (const char* command : {"deploy", "rollback", "status", "releases", "history", "logs", "wait", "cancel", "version"}) {
    CHECK_THAT(top.out, Contains(command));
  }
  CHECK_THAT(top.out, Contains("4 --timeout passed while the deployment"));
  for (const char* command : {"deploy", "rollback", "status", "releases", "history", "logs", "wait", "cancel"}) {
    auto help = run_client({command, "--help"});
    INFO(command);
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Contains("Example"));
    CHECK_THAT(help.out, Contains(std::string("fical-client ") + command));
  }
  CHECK_THAT(run_client({"deploy", "--help"}).out, Contains("--idempotency-key"));
}

TEST_CASE("exit 3 when nothing listens: a free TCP port, a missing unix socket", "[client]") {
  auto port = std::to_string(fical::testing::free_port());
  auto tcp = run_client(with({"--url", "http://127.0.0.1:" + port}, kDeploy), {{"FICAL_TOKEN", "t"}});
  CHECK(tcp.exit_code == 3);
  CHECK_THAT(tcp.err, Contains("cannot reach the agent at http://127.0.0.1:" + port));
  CHECK_THAT(tcp.err, Contains("Connection refused"));

  fical::testing::TempDir dir;
  auto sock = "unix:" + (dir.path() / "agent.sock").string();
  auto unix_socket = run_client({"--url", sock, "status"}, {{"FICAL_TOKEN", "t"}});
  CHECK(unix_socket.exit_code == 3);
  CHECK_THAT(unix_socket.err, Contains("No such file or directory"));
  CHECK(unix_socket.out.empty());
}

TEST_CASE("exit 2 on usage errors and hostile values, before any connection", "[client]") {
  // The URL points at nothing: a 3 would mean the client tried to connect.
  auto nowhere = "http://127.0.0.1:" + std::to_string(fical::testing::free_port());
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"deploy", "--app", "web", "--env", "staging", "--version", "v1;reboot"},
           {"deploy", "--app", "web", "--env", "staging", "--version", "$(reboot)"},
           {"deploy", "--app", "web/../x", "--env", "staging", "--version", "v1"},
           {"deploy", "--app", "web", "--env", "staging"},
           {"deploy", "--app", "web", "--env", "staging", "--version", "v1", "--timeout", "forever"},
           {"rollback", "--app", "web", "--env", "staging", "--release", "v1 v2"},
           {"logs", "--app", "web", "--env", "staging", "--service", "api", "--tail", "-5"},
           {"wait", "x/../../y"},
           {"frobnicate"}}) {
    auto ran = run_client(with({"--url", nowhere}, args), {{"FICAL_TOKEN", "t"}});
    INFO(args.back());
    CHECK(ran.exit_code == 2);
    CHECK_FALSE(ran.err.empty());
    CHECK_THAT(ran.err, !Contains("cannot reach"));
  }
  auto hostile = run_client(with({"--url", nowhere}, {"deploy", "--app", "web", "--env", "staging",
                                                      "--version", "v1;reboot"}));
  CHECK_THAT(hostile.err, Contains("--version: \"v1;reboot\""));
  CHECK(run_client({"--url", "ftp://127.0.0.1", "status"}).exit_code == 2);
}

TEST_CASE("a token file readable by group or others is refused with exit 2", "[client]") {
  fical::testing::TempDir dir;
  auto token = dir.path() / "token";
  write_file(token, "very-secret-token\n", 0644);
  auto nowhere = "http://127.0.0.1:" + std::to_string(fical::testing::free_port());
  auto ran = run_client({"--url", nowhere, "--token-file", token.string(), "status"});
  CHECK(ran.exit_code == 2);
  CHECK_THAT(ran.err, Contains("readable by its group and others (mode 0644)"));
  CHECK_THAT(ran.err, Contains("chmod 600 " + token.string()));
  CHECK_THAT(ran.err + ran.out, !Contains("very-secret-token"));
  // Through FICAL_TOKEN_FILE too; and mode 0600 passes the check (then 3: nothing listens).
  write_file(token, "very-secret-token\n", 0640);
  CHECK(run_client({"--url", nowhere, "status"}, {{"FICAL_TOKEN_FILE", token.string()}}).exit_code == 2);
  write_file(token, "very-secret-token\n", 0600);
  CHECK(run_client({"--url", nowhere, "status"}, {{"FICAL_TOKEN_FILE", token.string()}}).exit_code == 3);
}

TEST_CASE("status over TCP and the unix socket, as text and JSON", "[client][agent]") {
  Agent agent;
  for (const auto& url : {agent.http_url(), agent.unix_url()}) {
    INFO(url);
    auto all = run_client({"--url", url, "--token-file", agent.reader_token_file().string(), "status"});
    CHECK(all.exit_code == 0);
    CHECK_THAT(all.out, StartsWith("APP  ENV      LIVE  COLOR  RUNNING\nweb  staging  -     -      -\n"));

    auto one = run_client({"--url", url, "--token-file", agent.reader_token_file().string(), "status",
                           "--app", "web", "--env", "staging"});
    CHECK(one.exit_code == 0);
    CHECK_THAT(one.out, Contains("web/staging\n  live:     nothing deployed yet\n"));

    auto json = run_client({"--url", url, "status", "--app", "web", "--env", "staging", "--json"},
                           {{"FICAL_TOKEN", Agent::kReaderToken}});
    REQUIRE(json.exit_code == 0);
    auto parsed = nlohmann::json::parse(json.out);
    CHECK(parsed["app"] == "web");
    CHECK(parsed["live"].is_null());

    auto releases = run_client({"--url", url, "releases", "--app", "web", "--env", "staging"},
                               {{"FICAL_TOKEN", Agent::kReaderToken}});
    CHECK(releases.exit_code == 0);
    CHECK(releases.out == "no releases yet\n");
  }
}

TEST_CASE("the agent refusing is exit 3 with its message and the token is never printed",
          "[client][agent]") {
  Agent agent;
  auto none = run_client({"--url", agent.http_url(), "status"});
  CHECK(none.exit_code == 3);
  CHECK_THAT(none.err, Contains("unauthorized"));
  CHECK_THAT(none.err, Contains("check the token"));

  auto wrong = run_client({"--url", agent.http_url(), "status"}, {{"FICAL_TOKEN", "not-a-known-token"}});
  CHECK(wrong.exit_code == 3);
  CHECK_THAT(wrong.err, Contains("unauthorized"));
  CHECK_THAT(wrong.err + wrong.out, !Contains("not-a-known-token"));

  auto read_only = run_client(with({"--url", agent.http_url()}, kDeploy), {{"FICAL_TOKEN", Agent::kReaderToken}});
  CHECK(read_only.exit_code == 3);
  CHECK_THAT(read_only.err, Contains("forbidden"));
  CHECK_THAT(read_only.err, Contains("deploy"));

  auto unknown = run_client({"--url", agent.unix_url(), "status", "--app", "web", "--env", "prod"},
                            {{"FICAL_TOKEN", Agent::kReaderToken}});
  CHECK(unknown.exit_code == 3);
  CHECK_THAT(unknown.err, Contains("not_found"));
  CHECK_THAT(unknown.err, Contains("prod"));
}

TEST_CASE("a deploy while the agent has not reached Docker is asked again, then exit 3 with the reason",
          "[client][agent]") {
  Agent agent;  // its Docker socket leads nowhere
  auto args = with({"--url", agent.unix_url(), "--token-file", agent.deployer_token_file().string()}, kDeploy);
  args.insert(args.end(), {"--timeout", "1s"});
  auto ran = run_client(args);
  INFO(ran.out << ran.err);
  CHECK(ran.exit_code == 3);
  CHECK_THAT(ran.err, StartsWith("fical-client: the agent is starting: it waits for Docker to answer") &&
                          Contains("asking again for up to 2 minutes"));
  CHECK_THAT(ran.err, Contains("unavailable: the agent is starting: it waits for Docker to answer"));
  CHECK(ran.out.empty());
}

TEST_CASE("settings: --url beats FICAL_URL beats the config file", "[client][agent]") {
  Agent agent;
  auto dead = "http://127.0.0.1:" + std::to_string(fical::testing::free_port());
  auto config = agent.dir() / "client.yaml";
  write_file(config, "url: " + agent.unix_url() + "\ntoken_file: " + agent.reader_token_file().string() + "\n", 0644);
  auto base = std::vector<std::string>{client_binary(), "--config", config.string()};
  std::map<std::string, std::string> env{{"PATH", "/usr/bin:/bin"}};

  CHECK(run_program(with(base, {"status"}), env).exit_code == 0);  // config file alone
  env["FICAL_URL"] = dead;
  auto env_wins = run_program(with(base, {"status"}), env);
  CHECK(env_wins.exit_code == 3);
  CHECK_THAT(env_wins.err, Contains(dead));
  CHECK(run_program(with(base, {"--url", agent.unix_url(), "status"}), env).exit_code == 0);
  // An explicit --config that does not exist is a usage error.
  CHECK(run_program({client_binary(), "--config", "/nonexistent.yaml", "status"}, env).exit_code == 2);
}

TEST_CASE("https: the certificate is verified, against --ca-file or the system store",
          "[client][agent][tls]") {
  fical::testing::TempDir certs;
  auto cert = certs.path() / "agent.crt";
  auto key = certs.path() / "agent.key";
  auto made = run_program({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=fical-test", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", key.string(), "-out", cert.string()},
                          {{"PATH", "/usr/bin:/bin"}});
  REQUIRE(made.exit_code == 0);
  Agent agent("tls: {cert_file: " + cert.string() + ", key_file: " + key.string() + "}\n");
  auto https = "https://127.0.0.1:" + std::to_string(agent.port());
  std::map<std::string, std::string> token{{"FICAL_TOKEN", Agent::kReaderToken}};

  auto untrusted = run_client({"--url", https, "status"}, token);
  CHECK(untrusted.exit_code == 3);
  CHECK_THAT(untrusted.err, Contains("TLS handshake"));
  CHECK_THAT(untrusted.err, Contains("certificate verify failed"));

  auto trusted = run_client({"--url", https, "--ca-file", cert.string(), "status"}, token);
  CHECK(trusted.exit_code == 0);
  CHECK_THAT(trusted.out, Contains("web  staging"));

  // The certificate names 127.0.0.1, not localhost: host name verification refuses it.
  auto wrong_name = run_client({"--url", "https://localhost:" + std::to_string(agent.port()), "--ca-file",
                                cert.string(), "status"}, token);
  CHECK(wrong_name.exit_code == 3);
  CHECK_THAT(wrong_name.err, Contains("TLS handshake"));
}
