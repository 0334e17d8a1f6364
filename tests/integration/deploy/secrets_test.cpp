// Env sources in AWS (aws_secret, ssm_parameters) through Debian's awscli against a
// stand-in endpoint of the test's own on loopback (aws_standin.py): what the CLI sends,
// deploy, a rotated secret, rollback with the pinned versions or today's, a missing secret,
// an access denied and a timeout; and that no value reaches a log line, an event, an API
// answer or a file other than the root-only env snapshot.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/api/handlers.hpp"
#include "agent/api/token_hash.hpp"
#include "tests/integration/deploy/engine_harness.hpp"
#include "tests/support/child_process.hpp"

using namespace fical;
using namespace fical::testing;
using proto::DeploymentState;
using nlohmann::json;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string events_text(const proto::Deployment& d) {
  std::string text;
  for (const auto& e : d.events) text += "[" + std::string(proto::to_string(e.phase)) + "] " + e.message + "\n";
  return text + "error: " + d.error;
}

/// The stand-in endpoint, the CLI's credentials (dummies, in a temp dir) and the state the
/// stand-in answers from.
struct AwsStandIn {
  AwsStandIn() {
    write_state();
    const char* script = std::getenv("FICAL_AWS_STANDIN");  // a stand-in of one's own, if set
    if (!script) script = FICAL_AWS_STANDIN_SCRIPT;
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{"python3", script, (dir.path() / "state.json").string(), requests_file().string(),
                                 (dir.path() / "port").string()},
        dir.path() / "standin.log");
    REQUIRE(eventually([&] { return std::filesystem::exists(dir.path() / "port"); }, std::chrono::seconds(20)));
    port = read_text(dir.path() / "port");
    std::ofstream(dir.path() / "credentials") << "";
    std::ofstream(dir.path() / "config") << "";
    for (const auto& [key, value] : std::map<std::string, std::string>{
             {"AWS_ACCESS_KEY_ID", "AKIDFICALTEST"},
             {"AWS_SECRET_ACCESS_KEY", "fical-test-secret-access-key"},
             {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string()},
             {"AWS_CONFIG_FILE", (dir.path() / "config").string()},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"AWS_MAX_ATTEMPTS", "1"}}) {
      ::setenv(key.c_str(), value.c_str(), 1);
    }
    ::unsetenv("AWS_SESSION_TOKEN");
    ::unsetenv("AWS_PROFILE");
  }
  void write_state() { std::ofstream(dir.path() / "state.json") << state.dump(); }
  std::filesystem::path requests_file() const { return dir.path() / "requests.jsonl"; }
  /// The requests received since the last call.
  std::vector<json> take_requests() {
    std::vector<json> all;
    std::ifstream in(requests_file());
    std::string line;
    while (std::getline(in, line)) all.push_back(json::parse(line));
    std::vector<json> fresh(all.begin() + static_cast<long>(std::min(seen, all.size())), all.end());
    seen = all.size();
    return fresh;
  }
  std::string endpoint() const { return "http://127.0.0.1:" + port; }

  TempDir dir;
  json state = json::object();
  std::unique_ptr<ChildProcess> process;
  std::string port;
  std::size_t seen = 0;
};

/// Captures every log line of the engine while alive.
struct LogCapture {
  LogCapture() : sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(text)) {
    spdlog::default_logger()->sinks().push_back(sink);
    previous = spdlog::default_logger()->level();
    spdlog::default_logger()->set_level(spdlog::level::trace);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
    spdlog::default_logger()->set_level(previous);
  }
  std::ostringstream text;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink;
  spdlog::level::level_enum previous;
};

struct SecretsSite {
  explicit SecretsSite(const std::string& values_tag) : tag(values_tag) {}
  std::string tag;
  AwsStandIn aws;
  std::unique_ptr<EngineHarness> h;
  std::string secret_id, path;

  /// The environment has both sources; with `service_secret` the web service has its own
  /// aws_secret instead of the environment's.
  void start(const std::string& service_secret = "") {
    auto secret_yaml = "aws_secret: { id: fical-test/" + tag + "/" + (service_secret.empty() ? "env" : service_secret) +
                       ", region: eu-north-1, endpoint_url: " + aws.endpoint() + " }\n";
    auto ssm_yaml = "ssm_parameters: { path: /fical-test/" + tag + "/, region: eu-north-1, endpoint_url: " +
                    aws.endpoint() + " }\n";
    h = service_secret.empty() ? std::make_unique<EngineHarness>(secret_yaml + ssm_yaml)
                               : std::make_unique<EngineHarness>(ssm_yaml, secret_yaml);
    secret_id = "fical-test/" + tag + "/env";
    path = "/fical-test/" + tag + "/";
  }
  std::string env_in(const std::string& color, const std::string& key) {
    agent::docker::ExecSpec echo{{"/bin/sh", "-c", "echo \"$" + key + "\""}, {}, "", std::chrono::seconds(10)};
    auto result = h->docker().exec(h->app() + "-prod-web-" + color, echo);
    return result.output.empty() ? std::string("(none)") : result.output.front().text;
  }
};

/// The agent's real API handlers (agent/api) over the harness's engine: the answers a
/// client would get, bodies only.
struct Api {
  explicit Api(agent::DeploymentService& service)
      : deps{service, authenticator, limiter, metrics, audit} {}
  std::string get(const std::string& path) {
    agent::api::Request request;
    request.method = "GET";
    request.path = path;
    request.headers.emplace_back("authorization", "Bearer secrets-test-token");
    request.peer = "127.0.0.1:5000";
    request.peer_address = "127.0.0.1";
    request.request_id = "r1";
    auto response = agent::api::handle(request, deps);
    CHECK(response.status == 200);
    return response.body + "\n";
  }
  agent::api::Authenticator authenticator{
      {{"reader", agent::api::sha256_hex("secrets-test-token"), {agent::config::Scope::read}, {}}}};
  agent::api::FailureLimiter limiter{3, std::chrono::seconds(60)};
  agent::api::MetricsRegistry metrics;
  agent::api::NoAuditSink audit;
  agent::api::Deps deps;
};

void require_succeeded(const proto::Deployment& d) {
  INFO(events_text(d));
  REQUIRE(d.state == DeploymentState::succeeded);
}

const json* find_event_data(const proto::Deployment& d, const std::string& key) {
  for (const auto& e : d.events) {
    if (e.data.is_object() && e.data.contains(key)) return &e.data;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("env sources: deploy, rotation and rollback pinned to the versions a release ran with",
          "[deploy][secrets]") {
  LogCapture logs;
  SecretsSite site("pin" + std::to_string(::getpid()));
  auto& aws = site.aws;
  const std::string one = "sm-value-one-" + site.tag, two = "sm-value-two-" + site.tag;
  const std::string p_one = "ssm-value-one-" + site.tag, p_two = "ssm-value-two-" + site.tag;
  const std::string secret_id = "fical-test/" + site.tag + "/env", base = "/fical-test/" + site.tag + "/";
  aws.state = {{"secrets", {{secret_id, {{"current", "11111111-aaaa-4aaa-8aaa-111111111111"},
                                         {"versions", {{"11111111-aaaa-4aaa-8aaa-111111111111", json{{"APP_SECRET", one}}.dump()}}}}}}},
               {"parameters", {{base + "APP_TOKEN", {p_one}}, {base + "deep/APP_REGION", {"eu-north-1"}}}}};
  aws.write_state();
  site.start();
  auto& h = *site.h;

  // --- Deploy: the CLI sends signed JSON-protocol requests; the values reach the container.
  auto v1 = h.deploy("v1");
  require_succeeded(v1);
  auto requests = aws.take_requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0]["target"] == "secretsmanager.GetSecretValue");
  CHECK(requests[0]["body"] == json{{"SecretId", secret_id}});
  CHECK(requests[1]["target"] == "AmazonSSM.GetParametersByPath");
  CHECK(requests[1]["body"]["Path"] == base);
  CHECK(requests[1]["body"]["Recursive"] == true);
  CHECK(requests[1]["body"]["WithDecryption"] == true);
  for (const auto& r : requests) {
    CHECK(r["content_type"] == "application/x-amz-json-1.1");
    CHECK_THAT(r["authorization"].get<std::string>(),
               Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDFICALTEST/") && Catch::Contains("Signature="));
    CHECK(r["x_amz_date"].get<std::string>().size() == 16);  // 20261201T154500Z
  }
  CHECK(site.env_in("blue", "APP_SECRET") == one);
  CHECK(site.env_in("blue", "APP_TOKEN") == p_one);
  CHECK(site.env_in("blue", "APP_REGION") == "eu-north-1");
  auto releases = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod"));
  REQUIRE(releases.size() == 1);
  using V = proto::SecretVersion;
  CHECK(releases[0].secret_versions == std::vector<V>{{"aws_secret", secret_id, "11111111-aaaa-4aaa-8aaa-111111111111"},
                                                      {"ssm_parameter", base + "APP_TOKEN", "1"},
                                                      {"ssm_parameter", base + "deep/APP_REGION", "1"}});

  // --- A rotated secret and parameter: the next deploy runs with them.
  aws.state["secrets"][secret_id]["versions"]["22222222-bbbb-4bbb-8bbb-222222222222"] = json{{"APP_SECRET", two}}.dump();
  aws.state["secrets"][secret_id]["current"] = "22222222-bbbb-4bbb-8bbb-222222222222";
  aws.state["parameters"][base + "APP_TOKEN"].push_back(p_two);
  aws.write_state();
  // A dry run names the keys that would change (APP_SECRET, APP_TOKEN), not their values.
  agent::DeployCommand dry{h.app(), "prod", {"v2", true}, {"test", "127.0.0.1"}, ""};
  auto preview = std::get<proto::Deployment>(h.manager().deploy(dry));
  INFO(preview.plan.dump());
  CHECK(preview.plan["env"]["changed"] == json{"APP_SECRET", "APP_TOKEN"});
  CHECK(preview.plan["env"]["added"] == json::array());
  CHECK(preview.plan["env"]["removed"] == json::array());
  CHECK(preview.plan["env"]["secret_versions"][0]["version"] == "22222222-bbbb-4bbb-8bbb-222222222222");
  auto v2 = h.deploy("v2");
  require_succeeded(v2);
  aws.take_requests();
  CHECK(site.env_in("green", "APP_SECRET") == two);
  CHECK(site.env_in("green", "APP_TOKEN") == p_two);

  // --- A rollback's dry run: v1's env against v2's, and v1's versions against today's.
  agent::RollbackCommand dry_back{h.app(), "prod", {"v1", true, false}, {"test", "127.0.0.1"}, ""};
  auto back_preview = std::get<proto::Deployment>(h.manager().rollback(dry_back));
  INFO(back_preview.plan.dump());
  CHECK(back_preview.plan["env"]["changed"] == json{"APP_SECRET", "APP_TOKEN"});
  CHECK(back_preview.plan["env"]["differ_from_today"] ==
        json{"aws_secret " + secret_id, "ssm_parameter " + base + "APP_TOKEN"});
  aws.take_requests();

  // --- Rollback: by default the versions v1 ran with, fetched by version.
  h.docker().remove_container(h.app() + "-prod-web-blue", true);  // so it is created anew
  auto back = h.rollback("v1");
  require_succeeded(back);
  requests = aws.take_requests();
  INFO(events_text(back));
  REQUIRE(requests.size() == 4);  // today's (2), then the pinned (2)
  CHECK(requests[2]["target"] == "secretsmanager.GetSecretValue");
  CHECK(requests[2]["body"] == json{{"SecretId", secret_id}, {"VersionId", "11111111-aaaa-4aaa-8aaa-111111111111"}});
  CHECK(requests[3]["target"] == "AmazonSSM.GetParameters");
  CHECK(requests[3]["body"]["Names"] == json{base + "APP_TOKEN:1", base + "deep/APP_REGION:1"});
  CHECK(site.env_in("blue", "APP_SECRET") == one);
  CHECK(site.env_in("blue", "APP_TOKEN") == p_one);
  const auto* pinned = find_event_data(back, "pinned");
  REQUIRE(pinned);
  CHECK((*pinned)["differ"] == json{"aws_secret " + secret_id, "ssm_parameter " + base + "APP_TOKEN"});

  // --- Rollback forward with today's: current_env.
  auto forward = h.rollback("v2", "prod", true);
  require_succeeded(forward);
  CHECK(aws.take_requests().size() == 2);  // today's only
  CHECK(site.env_in("green", "APP_SECRET") == two);
  releases = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod"));
  REQUIRE(releases.size() == 4);  // newest first
  CHECK(releases[0].secret_versions.at(0).version == "22222222-bbbb-4bbb-8bbb-222222222222");
  CHECK(releases[1].secret_versions.at(0).version == "11111111-aaaa-4aaa-8aaa-111111111111");
  CHECK(releases[1].secret_versions.at(1).version == "1");

  // --- No value anywhere but the root-only env snapshot: the API's answers (through its
  // real handlers), every event, every log line, every other file in state_dir.
  Api api(h.manager());
  std::string answers;
  for (const auto& d : {v1, preview, v2, back_preview, back, forward}) {
    answers += api.get("/v1/deployments/" + d.id);
    answers += proto::to_json(d).dump() + "\n";  // with its events
  }
  const auto env_path = "/v1/apps/" + h.app() + "/envs/prod";
  answers += api.get(env_path) + api.get(env_path + "/releases") + api.get(env_path + "/deployments") +
             api.get("/v1/apps");
  CHECK_THAT(answers, Catch::Contains("secret_versions") && Catch::Contains("APP_SECRET"));  // names, not values
  std::string files;
  int snapshots = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(h.store().dir())) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().string().find("/env-snapshots/") != std::string::npos) {
      struct stat st {};
      REQUIRE(::stat(entry.path().c_str(), &st) == 0);
      CHECK((st.st_mode & 0077) == 0);
      ++snapshots;
      continue;
    }
    files += read_text(entry.path());
  }
  CHECK(snapshots >= 2);
  std::string requests_text = read_text(aws.requests_file());
  for (const auto& value : {one, two, p_one, p_two}) {
    INFO(value);
    CHECK(answers.find(value) == std::string::npos);
    CHECK(files.find(value) == std::string::npos);
    CHECK(logs.text.str().find(value) == std::string::npos);
    CHECK(requests_text.find(value) == std::string::npos);  // what the CLI sent: no value
  }
  CHECK(logs.text.str().find(secret_id) != std::string::npos);  // the capture does see the engine's lines
}

TEST_CASE("env sources: a missing secret, an access denied and a timeout fail preflight and change nothing",
          "[deploy][secrets]") {
  SecretsSite site("err" + std::to_string(::getpid()));
  auto& aws = site.aws;
  const std::string secret_id = "fical-test/" + site.tag + "/env", base = "/fical-test/" + site.tag + "/";
  aws.state = {{"secrets", {{secret_id, {{"current", "00000000-0000-4000-8000-000000000001"}, {"versions", {{"00000000-0000-4000-8000-000000000001", R"({"APP_SECRET":"x1"})"}}}}}}},
               {"parameters", json::object()}};
  aws.write_state();
  site.start();
  auto& h = *site.h;
  require_succeeded(h.deploy("v1"));

  auto fails_in_preflight = [&](const std::string& what, const std::vector<std::string>& parts) {
    auto d = h.deploy("v2");
    INFO(what << "\n" << events_text(d));
    CHECK(d.state == DeploymentState::failed);
    CHECK(d.phase == proto::Phase::preflight);
    for (const auto& part : parts) CHECK_THAT(d.error, Catch::Contains(part));
    CHECK(h.containers("green").empty());
    CHECK(h.served() == "v1");
  };

  aws.state["secrets"].erase(secret_id);
  aws.write_state();
  fails_in_preflight("missing secret", {"aws_secret " + secret_id, "ResourceNotFoundException"});

  aws.state["secrets"][secret_id] = {{"current", "00000000-0000-4000-8000-000000000001"}, {"versions", {{"00000000-0000-4000-8000-000000000001", R"({"APP_SECRET":"x1"})"}}}};
  aws.state["deny"] = {"AmazonSSM.GetParametersByPath"};
  aws.write_state();
  fails_in_preflight("access denied", {"ssm_parameters " + base, "AccessDeniedException"});

  aws.state["deny"] = json::array();
  aws.state["delay_seconds"] = 30;
  aws.write_state();
  h.config().aws.timeout = std::chrono::seconds(5);
  auto started = std::chrono::steady_clock::now();
  fails_in_preflight("timeout", {"aws_secret " + secret_id, "did not answer within 5s"});
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(25));
  aws.state["delay_seconds"] = 0;
  aws.write_state();
}

TEST_CASE("env sources: a service's own aws_secret wins over the environment's and is pinned too",
          "[deploy][secrets]") {
  SecretsSite site("svc" + std::to_string(::getpid()));
  auto& aws = site.aws;
  const std::string secret_id = "fical-test/" + site.tag + "/web", base = "/fical-test/" + site.tag + "/";
  const std::string one = "00000000-0000-4000-8000-00000000000a", two = "00000000-0000-4000-8000-00000000000b";
  aws.state = {{"secrets", {{secret_id, {{"current", one}, {"versions", {{one, R"({"APP_SECRET":"svc-1"})"}}}}}}},
               {"parameters", {{base + "APP_SECRET", {"env-level"}}, {base + "APP_TOKEN", {"token-1"}}}}};
  aws.write_state();
  site.start("web");
  auto& h = *site.h;
  require_succeeded(h.deploy("v1"));
  CHECK(site.env_in("blue", "APP_SECRET") == "svc-1");  // the service's source over the environment's
  CHECK(site.env_in("blue", "APP_TOKEN") == "token-1");
  auto releases = std::get<std::vector<proto::Release>>(h.manager().releases(h.app(), "prod"));
  REQUIRE(releases.size() == 1);
  CHECK(releases[0].secret_versions.back() == proto::SecretVersion{"aws_secret", secret_id, one, "web"});

  aws.state["secrets"][secret_id]["versions"][two] = R"({"APP_SECRET":"svc-2"})";
  aws.state["secrets"][secret_id]["current"] = two;
  aws.write_state();
  require_succeeded(h.deploy("v2"));
  CHECK(site.env_in("green", "APP_SECRET") == "svc-2");
  aws.take_requests();
  h.docker().remove_container(h.app() + "-prod-web-blue", true);
  auto back = h.rollback("v1");
  require_succeeded(back);
  bool pinned_fetch = false;
  for (const auto& r : aws.take_requests()) {
    pinned_fetch = pinned_fetch || r["body"] == json{{"SecretId", secret_id}, {"VersionId", one}};
  }
  CHECK(pinned_fetch);
  CHECK(site.env_in("blue", "APP_SECRET") == "svc-1");
}
