// GET /metrics and the audit trail of a real fical-agent after real deployments (the shared
// environment's dockerd and registry, an nginx of the test's own): the whole scrape must
// pass a strict parser of the text format, and the audit log must hold the 401, the 403
// and the deployments, without a token; metrics.emf_file must get one CloudWatch EMF line
// per deployment that conforms to the spec.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/api/token_hash.hpp"
#include "proto/time.hpp"
#include "tests/integration/client/programs.hpp"
#include "tests/support/emf_validator.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/test_site.hpp"
#include "tests/support/prometheus_text.hpp"

using fical::testing::TestEnv;
using namespace std::chrono_literals;
using Labels = std::map<std::string, std::string>;

namespace {

constexpr const char* kDeployer = "metrics-it-deployer-0123456789abcdef";
constexpr const char* kReader = "metrics-it-reader-0123456789abcdef";
constexpr const char* kAuditor = "metrics-it-auditor-0123456789abcdef";
constexpr const char* kWrong = "metrics-it-wrong-0123456789abcdef";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Answer {
  int status = 0;
  std::string body;
};

/// One HTTP/1.0 request to 127.0.0.1:port with a bearer token; 5 s socket timeouts.
Answer http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& token,
            const std::string& body = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Answer answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::string request = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      std::string raw;
      char chunk[8192];
      for (ssize_t got; (got = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) raw.append(chunk, static_cast<std::size_t>(got));
      auto head_end = raw.find("\r\n\r\n");
      if (raw.rfind("HTTP/1.", 0) == 0 && head_end != std::string::npos) {
        answer.status = std::stoi(raw.substr(9, 3));
        answer.body = raw.substr(head_end + 4);
      }
    }
  }
  ::close(fd);
  return answer;
}

/// A real fical-agent with three tokens (deployer, reader, auditor with admin) and one app
/// of its own on a TestSite (private nginx; its containers are removed at the end).
struct MeteredAgent {
  fical::testing::TestSite site{"mt"};
  const std::string app = site.app();
  fical::testing::TempDir dir;
  std::uint16_t port = fical::testing::free_port();
  std::unique_ptr<fical::testing::ChildProcess> process;

  MeteredAgent() {
    auto hash = [](const char* token) { return fical::agent::api::sha256_hex(token); };
    std::ostringstream yaml;
    yaml << "listen: [\"127.0.0.1:" << port << "\"]\n"
         << "state_dir: " << (dir.path() / "state").string() << "\n"
         << "metrics: {emf_file: " << emf_file().string() << ", emf_namespace: fical-it}\n"
         << "tokens:\n"
         << "  - {id: deployer, sha256: \"" << hash(kDeployer) << "\", scopes: [read, deploy]}\n"
         << "  - {id: reader, sha256: \"" << hash(kReader) << "\", scopes: [read]}\n"
         << "  - {id: auditor, sha256: \"" << hash(kAuditor) << "\", scopes: [admin]}\n"
         << site.docker_and_nginx_yaml() << "apps:\n  " << app << ":\n    environments:\n"
         << site.environment_yaml("staging", "retain: 3\n", "health: {http: /health, deadline: 4s}\n");
    site.route("staging");
    std::filesystem::create_directories(dir.path() / "state");
    fical::client::testing::write_file(dir.path() / "agent.yaml", yaml.str());
    for (auto [file, token] : {std::pair{"deployer.token", kDeployer}, std::pair{"reader.token", kReader},
                               std::pair{"auditor.token", kAuditor}}) {
      fical::client::testing::write_file(dir.path() / file, std::string(token) + "\n");
    }
    process = std::make_unique<fical::testing::ChildProcess>(
        std::vector<std::string>{FICAL_AGENT_BINARY, "--config", (dir.path() / "agent.yaml").string()},
        dir.path() / "agent.log");
    if (!fical::testing::eventually([&] { return http(port, "GET", "/v1/apps", kReader).status == 200; }, 20s)) {
      throw std::runtime_error("fical-agent did not start: " + read_text(dir.path() / "agent.log"));
    }
  }

  ~MeteredAgent() { process.reset(); }

  std::filesystem::path emf_file() const { return dir.path() / "emf.log"; }

  fical::client::testing::Ran client(const std::string& token_file, std::vector<std::string> args) const {
    args.insert(args.begin(), {"--url", "http://127.0.0.1:" + std::to_string(port), "--token-file",
                               (dir.path() / token_file).string()});
    return fical::client::testing::run_program(fical::client::testing::client_argv(args),
                                               {{"PATH", "/usr/bin:/bin"}}, 120s);
  }
  fical::client::testing::Ran deploy(const std::string& version) const {
    return client("deployer.token", {"deploy", "--app", app, "--env", "staging", "--version", version, "--json"});
  }
};

}  // namespace

TEST_CASE("metrics and audit log after real deployments", "[metrics][audit][engine]") {
  MeteredAgent agent;
  const std::string deployments = "/v1/apps/" + agent.app + "/envs/staging/deployments";
  CHECK(http(agent.port, "GET", "/v1/apps", kWrong).status == 401);
  CHECK(http(agent.port, "POST", deployments, kReader, R"({"version":"v1"})").status == 403);

  auto good = agent.deploy("v1");
  INFO(good.out << good.err << read_text(agent.dir.path() / "agent.log"));
  REQUIRE(good.exit_code == 0);
  auto good_id = nlohmann::json::parse(good.out)["id"].get<std::string>();
  auto bad = agent.deploy("v3-unhealthy");
  REQUIRE(bad.exit_code == 1);
  auto bad_id = nlohmann::json::parse(bad.out)["id"].get<std::string>();

  {  // the whole scrape parses strictly and counts what happened
    auto scrape_answer = http(agent.port, "GET", "/metrics", kReader);
    REQUIRE(scrape_answer.status == 200);
    INFO(scrape_answer.body);
    auto scrape = fical::testing::parse_prometheus_text(scrape_answer.body);
    using fical::testing::prom_value;
    Labels staging{{"app", agent.app}, {"env", "staging"}};
    auto with = [](Labels labels, Labels more) {
      labels.insert(more.begin(), more.end());
      return labels;
    };
    CHECK(prom_value(scrape, "fical_deployments_total", with(staging, {{"kind", "deploy"}, {"result", "succeeded"}})) == 1);
    CHECK(prom_value(scrape, "fical_deployments_total", with(staging, {{"kind", "deploy"}, {"result", "failed"}})) == 1);
    CHECK(prom_value(scrape, "fical_deployment_duration_seconds_count", with(staging, {{"kind", "deploy"}})) == 2);
    CHECK(prom_value(scrape, "fical_deployment_duration_seconds_sum", with(staging, {{"kind", "deploy"}})) > 0);
    CHECK(prom_value(scrape, "fical_health_gate_duration_seconds_count", staging) == 2);
    CHECK(prom_value(scrape, "fical_health_gate_duration_seconds_sum", staging) >= 4);  // the failing one waited out its deadline
    CHECK(prom_value(scrape, "fical_deployment_phase_duration_seconds_count", {{"phase", "pull"}}) == 2);
    CHECK(prom_value(scrape, "fical_deployment_phase_duration_seconds_count", {{"phase", "switch"}}) == 1);
    auto live = nlohmann::json::parse(good.out);
    CHECK(prom_value(scrape, "fical_release_info",
                     with(staging, {{"version", "v1"}, {"color", live["color"].get<std::string>()}})) == 1);
    CHECK(scrape.at("fical_rollbacks_total").type == "counter");
    CHECK(prom_value(scrape, "fical_api_requests_total",
                     {{"route", "/v1/apps/{app}/envs/{env}/deployments"}, {"method", "POST"}, {"status", "202"}}) == 2);
    CHECK(prom_value(scrape, "fical_api_auth_failures_total", {{"reason", "unauthorized"}}) == 1);
    CHECK(prom_value(scrape, "fical_api_auth_failures_total", {{"reason", "forbidden"}}) == 1);
  }

  {  // the EMF file: one spec-conforming line per deployment, timestamped at its end
    std::vector<nlohmann::json> lines;
    auto read_lines = [&] {
      lines.clear();
      std::istringstream text(read_text(agent.emf_file()));
      for (std::string line; std::getline(text, line);) lines.push_back(nlohmann::json::parse(line));
      return lines.size() >= 2;
    };
    INFO(read_text(agent.emf_file()));
    REQUIRE(fical::testing::eventually(read_lines, 10s));
    REQUIRE(lines.size() == 2);
    for (const auto& [record, answer] : {std::pair{lines[0], good.out}, std::pair{lines[1], bad.out}}) {
      CHECK(fical::testing::emf_violations(record).empty());
      auto deployment = nlohmann::json::parse(answer);
      CHECK(record["DeploymentId"] == deployment["id"]);
      CHECK(record["App"] == agent.app);
      CHECK(record["Env"] == "staging");
      CHECK(record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "fical-it");
      auto ended = fical::proto::parse_time(deployment["ended_at"].get<std::string>());
      REQUIRE(ended);
      CHECK(record["_aws"]["Timestamp"] == ended->time_since_epoch().count());
      CHECK(record["DeploymentDuration"].get<double>() > 0);
      CHECK(record["HealthGateDuration"].get<double>() > 0);
    }
    CHECK(lines[0]["Result"] == "succeeded");
    CHECK(lines[0]["Version"] == "v1");
    CHECK(lines[0]["DeploymentSucceeded"] == 1);
    CHECK(lines[0]["DeploymentFailed"] == 0);
    CHECK(lines[1]["Result"] == "failed");
    CHECK(lines[1]["Version"] == "v3-unhealthy");
    CHECK(lines[1]["DeploymentFailed"] == 1);
    CHECK(lines[1]["HealthGateDuration"].get<double>() >= 4000);  // waited out its 4 s deadline
    CHECK_FALSE(lines[1]["Reason"].get<std::string>().empty());
    auto text = read_text(agent.emf_file());
    for (const char* token : {kDeployer, kReader, kAuditor, kWrong}) CHECK(text.find(token) == std::string::npos);
  }

  {  // fical.db's audit trail holds the 401, the 403 and the deployments; no token; fical-client audit reads it
    auto path = agent.dir.path() / "state" / "fical.db";
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK_FALSE(std::filesystem::exists(agent.dir.path() / "state" / "audit.log"));

    auto refused = agent.client("reader.token", {"audit"});
    CHECK(refused.exit_code == 3);

    auto listed = agent.client("auditor.token", {"audit", "--limit", "50", "--json"});
    INFO(listed.out << listed.err);
    REQUIRE(listed.exit_code == 0);
    auto records = nlohmann::json::parse(listed.out);
    // By now the records are committed (GET /v1/audit serves committed rows): no token in the bytes.
    auto text = read_text(path) + read_text(path.string() + "-wal");
    CHECK(text.find("auth_failed") != std::string::npos);
    for (const char* token : {kDeployer, kReader, kAuditor, kWrong}) CHECK(text.find(token) == std::string::npos);
    auto find = [&](const std::string& result, const std::string& key, const std::string& value) {
      for (const auto& r : records) {
        if (r.value("result", "") == result && r.value(key, "") == value) return r;
      }
      FAIL("no audit record with result " << result << " and " << key << " " << value);
      return nlohmann::json();
    };
    auto unauthorized = find("auth_failed", "target", "/v1/apps");
    CHECK(unauthorized["status"] == 401);
    CHECK_FALSE(unauthorized.contains("token_id"));
    CHECK_THAT(unauthorized["peer"].get<std::string>(), Catch::Matchers::StartsWith("127.0.0.1:"));
    auto forbidden = find("forbidden", "target", deployments);
    CHECK(forbidden["token_id"] == "reader");
    CHECK(forbidden["status"] == 403);
    auto accepted = find("accepted", "deployment_id", good_id);
    CHECK(accepted["token_id"] == "deployer");
    CHECK(accepted["action"] == "POST /v1/apps/{app}/envs/{env}/deployments");
    auto finished = find("succeeded", "deployment_id", good_id);
    CHECK(finished["action"] == "deploy.finished");
    CHECK(finished["target"] == agent.app + "/staging@v1");
    CHECK(find("failed", "deployment_id", bad_id)["action"] == "deploy.finished");

    auto plain = agent.client("auditor.token", {"audit", "--limit", "2"});
    REQUIRE(plain.exit_code == 0);
    CHECK(std::count(plain.out.begin(), plain.out.end(), '\n') == 2);
    CHECK_THAT(plain.out, Catch::Matchers::Contains("deploy.finished"));
  }
}
