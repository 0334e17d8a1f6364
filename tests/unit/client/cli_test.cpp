#include "client/cli.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/unit/client/fake_transport.hpp"
#include "tests/unit/client/sample_deployments.hpp"

using namespace fical::client;
using namespace fical::client::testing;
using fical::proto::DeploymentState;

namespace {

/// A process with a scripted agent, a given environment, and no terminal.
struct TestProcess {
  std::ostringstream out, err;
  std::map<std::string, std::string> env{{"FICAL_TOKEN", "tok"}};
  FakeTransport transport;
  std::vector<std::string> urls;
  Process process{out, err,
                  [this](const char* name) {
                    auto it = env.find(name);
                    return it == env.end() ? std::string() : it->second;
                  },
                  false, 80,
                  [this](const AgentUrl& url, const std::string&) -> std::unique_ptr<Transport> {
                    urls.push_back(url.display());
                    return std::make_unique<BorrowedTransport>(transport);
                  }};
  std::string config = std::filesystem::temp_directory_path() /
                       ("fical-client-unit-" + std::to_string(::getpid()) + ".yaml");
  TestProcess() { std::ofstream(config) << "# empty: defaults and the environment apply\n"; }
  ~TestProcess() { std::filesystem::remove(config); }
  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "fical-client");
    args.insert(args.begin() + 1, {"--config", config});
    return fical::client::run(args, process);
  }
};

const std::vector<std::string> kDeploy{"deploy", "--app", "web", "--env", "staging", "--version", "v3"};

}  // namespace

TEST_CASE("fical-client version prints its version", "[client]") {
  std::ostringstream out, err;
  CHECK(run({"fical-client", "version"}, out, err) == 0);
  CHECK(out.str().rfind("fical-client ", 0) == 0);
}

TEST_CASE("fical-client exits 2 on a bad command line", "[client]") {
  std::ostringstream out, err;
  CHECK(run({"fical-client"}, out, err) == 2);
  CHECK(run({"fical-client", "frobnicate"}, out, err) == 2);
  CHECK(run({"fical-client", "deploy", "--app", "web"}, out, err) == 2);
  CHECK_FALSE(err.str().empty());
}

TEST_CASE("hostile values are refused before anything is sent", "[client]") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"deploy", "--app", "web", "--env", "staging", "--version", "v1;reboot"},
           {"deploy", "--app", "../etc", "--env", "staging", "--version", "v1"},
           {"deploy", "--app", "web", "--env", "staging", "--version", "v1", "--timeout", "soon"},
           {"rollback", "--app", "web", "--env", "Staging"},
           {"logs", "--app", "web", "--env", "staging", "--service", "api;ls"},
           {"logs", "--app", "web", "--env", "staging", "--service", "api", "--since", "$(id)"},
           {"wait", "../../etc/passwd"},
           {"status", "--app", "web"}}) {
    TestProcess p;
    INFO(args[0] << " " << args.back());
    CHECK(p.run(args) == 2);
    CHECK(p.transport.requests.empty());
    CHECK(p.urls.empty());
  }
  TestProcess p;
  p.run({"deploy", "--app", "web", "--env", "staging", "--version", "v1;reboot"});
  CHECK(p.err.str().find("--version: \"v1;reboot\"") != std::string::npos);
}

TEST_CASE("deploy without a terminal: plain lines, then exit 0 when live", "[client]") {
  TestProcess p;
  auto events = successful_events();
  auto accepted = accepted_deployment();
  std::string stream;
  for (const auto& e : events) stream += to_json(e).dump() + "\n";
  p.transport.script.push_back({{202, "application/json", to_json(accepted).dump()}, {}, false, false});
  p.transport.script.push_back({{200, "application/x-ndjson", ""}, {stream}, false, false});
  p.transport.script.push_back({{200, "application/json", to_json(ended(DeploymentState::succeeded, events)).dump()}, {}, false, false});
  CHECK(p.run(kDeploy) == 0);
  REQUIRE(p.transport.requests.size() == 3);
  CHECK(p.transport.requests[0].method == "POST");
  CHECK(p.transport.requests[0].target == "/v1/apps/web/envs/staging/deployments");
  CHECK(p.transport.requests[0].body == R"({"version":"v3"})");
  CHECK(p.urls == std::vector<std::string>{"http://127.0.0.1:7070"});
  CHECK(p.out.str().find("pull: 25% (6.0 MB of 20.0 MB)") != std::string::npos);
  CHECK(p.out.str().find("OK web/staging: v3 is live") != std::string::npos);
  CHECK(p.out.str().find("tok") == std::string::npos);
  CHECK(p.err.str().empty());
}

TEST_CASE("rollback --current-env asks for today's env_file", "[client]") {
  TestProcess p;
  p.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  CHECK(p.run({"rollback", "--app", "web", "--env", "staging", "--release", "v2", "--current-env", "--no-wait"}) == 0);
  REQUIRE(p.transport.requests.size() == 1);
  CHECK(p.transport.requests[0].target == "/v1/apps/web/envs/staging/rollback");
  CHECK(p.transport.requests[0].body == R"({"current_env":true,"release":"v2"})");
}

TEST_CASE("promote forwards --from and --to, follows like deploy, and a refusal is exit 3", "[client][promote]") {
  TestProcess p;
  auto events = successful_events();
  std::string stream;
  for (const auto& e : events) stream += to_json(e).dump() + "\n";
  p.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  p.transport.script.push_back({{200, "application/x-ndjson", ""}, {stream}, false, false});
  p.transport.script.push_back({{200, "application/json", to_json(ended(DeploymentState::succeeded, events)).dump()}, {}, false, false});
  CHECK(p.run({"promote", "--app", "web", "--from", "staging", "--to", "production"}) == 0);
  REQUIRE(p.transport.requests.size() == 3);
  CHECK(p.transport.requests[0].method == "POST");
  CHECK(p.transport.requests[0].target == "/v1/apps/web/envs/production/promotions");
  CHECK(p.transport.requests[0].body == R"({"from":"staging"})");

  TestProcess failed;  // exit 0 only when live
  failed.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  failed.transport.script.push_back({{200, "application/x-ndjson", ""}, {stream}, false, false});
  failed.transport.script.push_back({{200, "application/json", to_json(ended(DeploymentState::failed, events)).dump()}, {}, false, false});
  CHECK(failed.run({"promote", "--app", "web", "--from", "staging", "--to", "production"}) == 1);

  TestProcess refused;
  refused.transport.script.push_back(
      {{409, "application/json",
        R"({"error":{"code":"promotion_refused","message":"staging is not healthy","reason":"source_unhealthy"}})"},
       {}, false, false});
  CHECK(refused.run({"promote", "--app", "web", "--from", "staging", "--to", "production"}) == 3);
  CHECK(refused.err.str().find("source_unhealthy") != std::string::npos);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"promote", "--app", "web", "--from", "staging", "--to", "staging"},
           {"promote", "--app", "web", "--from", "Staging", "--to", "production"},
           {"promote", "--app", "web", "--to", "production"}}) {
    TestProcess usage;
    CHECK(usage.run(args) == 2);
    CHECK(usage.transport.requests.empty());
  }
}

TEST_CASE("deploy with --no-wait prints the id, with --json only the record", "[client]") {
  TestProcess p;
  p.env["FICAL_URL"] = "unix:/run/fical/agent.sock";
  p.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  auto args = kDeploy;
  args.insert(args.end(), {"--no-wait", "--idempotency-key", "build-77"});
  CHECK(p.run(args) == 0);
  CHECK(p.out.str() == "dep-42\n");
  CHECK(p.urls == std::vector<std::string>{"unix:/run/fical/agent.sock"});
  auto& headers = p.transport.requests.at(0).headers;
  CHECK(std::find(headers.begin(), headers.end(), std::pair<std::string, std::string>{"Idempotency-Key", "build-77"}) != headers.end());

  TestProcess j;
  auto failed = ended(DeploymentState::rolled_back, successful_events(), "verify: got v2");
  j.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  j.transport.script.push_back({{200, "application/x-ndjson", ""}, {}, false, false});
  j.transport.script.push_back({{200, "application/json", to_json(failed).dump()}, {}, false, false});
  auto json_args = kDeploy;
  json_args.push_back("--json");
  CHECK(j.run(json_args) == 1);
  CHECK(nlohmann::json::parse(j.out.str())["state"] == "rolled_back");
}

TEST_CASE("deploy is exit 4 with the wait command when the timeout passes while the agent is away", "[client]") {
  TestProcess p;
  p.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  for (int i = 0; i < 1000; ++i) p.transport.script.push_back({{}, {}, false, true});
  auto args = kDeploy;
  args.insert(args.end(), {"--timeout", "300ms"});
  CHECK(p.run(args) == 4);
  CHECK(p.out.str().find("client: lost the event stream (refused); reconnecting") != std::string::npos);
  CHECK(p.out.str().find("TIMED OUT: the --timeout of 300ms passed while the agent was unreachable") !=
        std::string::npos);
  CHECK(p.out.str().find("Follow it with: fical-client wait dep-42") != std::string::npos);
}

TEST_CASE("a deploy to an agent that is still starting is sent again until it is accepted", "[client]") {
  TestProcess p;
  auto events = successful_events();
  p.transport.script.push_back({{503, "application/json",
                                 R"({"error":{"code":"unavailable","message":"the agent is starting"}})"},
                                {}, false, false});
  p.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  std::string stream;
  for (const auto& e : events) stream += to_json(e).dump() + "\n";
  p.transport.script.push_back({{200, "application/x-ndjson", ""}, {stream}, false, false});
  p.transport.script.push_back({{200, "application/json", to_json(ended(DeploymentState::succeeded, events)).dump()}, {}, false, false});
  CHECK(p.run(kDeploy) == 0);
  CHECK(p.transport.requests.at(0).target == p.transport.requests.at(1).target);  // the POST, twice
  CHECK(p.err.str() == "fical-client: the agent is starting; asking again for up to 2 minutes\n");
  CHECK(p.out.str().find("OK web/staging: v3 is live") != std::string::npos);
}

TEST_CASE("refusals are exit 3 with the agent's message", "[client]") {
  TestProcess p;
  p.transport.script.push_back({{409, "application/json",
                                 R"({"error":{"code":"conflict","message":"a deployment runs","deployment_id":"dep-7"}})"},
                                {}, false, false});
  CHECK(p.run(kDeploy) == 3);
  CHECK(p.err.str().find("the agent refused: conflict: a deployment runs") != std::string::npos);
  CHECK(p.err.str().find("fical-client wait dep-7") != std::string::npos);

  TestProcess q;  // unavailable: asked again until --timeout (here 600 ms), then refused
  for (int i = 0; i < 20; ++i) {
    q.transport.script.push_back({{503, "application/json",
                                   R"({"error":{"code":"unavailable","message":"the agent is starting"}})"},
                                  {}, false, false});
  }
  auto args = kDeploy;
  args.insert(args.end(), {"--timeout", "600ms"});
  CHECK(q.run(args) == 3);
  CHECK(q.transport.requests.size() >= 2);
  CHECK(q.err.str().find("unavailable: the agent is starting") != std::string::npos);

  TestProcess r;
  r.transport.script.push_back({{}, {}, false, true});
  CHECK(r.run({"status"}) == 3);
  CHECK(r.err.str().find("cannot reach the agent") != std::string::npos);
}

TEST_CASE("a flag beats FICAL_URL, which beats the default", "[client]") {
  TestProcess p;
  p.env["FICAL_URL"] = "http://127.0.0.1:9";
  p.transport.script.push_back({{200, "application/json", "[]"}, {}, false, false});
  CHECK(p.run({"--url", "unix:/tmp/a.sock", "status"}) == 0);
  CHECK(p.urls == std::vector<std::string>{"unix:/tmp/a.sock"});
  CHECK(p.out.str() == "no apps configured in the agent\n");

  TestProcess q;
  q.env["FICAL_URL"] = "gopher://x";
  CHECK(q.run({"status"}) == 2);
  CHECK(q.err.str().find("(from FICAL_URL)") != std::string::npos);
}

TEST_CASE("maintenance on and off: PUT and DELETE of the env's maintenance, values checked first",
          "[client][maintenance]") {
  TestProcess p;
  p.transport.script.push_back(
      {{200, "application/json",
        R"({"app":"web","env":"staging","maintenance":{"message":"m","retry_after":1800,"since":"2026-12-01T22:00:00.000Z","by":"ci"}})"},
       {}, false, false});
  CHECK(p.run({"maintenance", "on", "--app", "web", "--env", "staging", "--message", "Back at 14:00", "--retry-after",
               "30m"}) == 0);
  REQUIRE(p.transport.requests.size() == 1);
  CHECK(p.transport.requests[0].method == "PUT");
  CHECK(p.transport.requests[0].target == "/v1/apps/web/envs/staging/maintenance");
  CHECK(nlohmann::json::parse(p.transport.requests[0].body) ==
        nlohmann::json{{"message", "Back at 14:00"}, {"retry_after", 1800}});

  TestProcess off;
  off.transport.script.push_back(
      {{200, "application/json", R"({"app":"web","env":"staging","maintenance":null,"was_on":true})"}, {}, false, false});
  CHECK(off.run({"maintenance", "off", "--app", "web", "--env", "staging", "--json"}) == 0);
  REQUIRE(off.transport.requests.size() == 1);
  CHECK(off.transport.requests[0].method == "DELETE");
  CHECK(nlohmann::json::parse(off.out.str())["was_on"] == true);

  TestProcess refused;
  refused.transport.script.push_back(
      {{409, "application/json", R"({"error":{"code":"conflict","message":"a deployment runs","deployment_id":"d-7"}})"},
       {}, false, false});
  CHECK(refused.run({"maintenance", "on", "--app", "web", "--env", "staging"}) == 3);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"maintenance", "on", "--app", "web", "--env", "staging", "--retry-after", "soon"},
           {"maintenance", "on", "--app", "web", "--env", "staging", "--retry-after", "169h"},
           {"maintenance", "on", "--app", "web", "--env", "staging", "--message", std::string(501, 'x')},
           {"maintenance", "on", "--app", "../x", "--env", "staging"},
           {"maintenance", "off", "--app", "web"},
           {"maintenance", "--app", "web", "--env", "staging"}}) {
    TestProcess bad;
    INFO(args.back());
    CHECK(bad.run(args) == 2);
    CHECK(bad.transport.requests.empty());
  }
}

TEST_CASE("deploy --canary --steps asks for a canary with those steps", "[client][canary]") {
  TestProcess p;
  p.transport.script.push_back({{202, "application/json", to_json(accepted_deployment()).dump()}, {}, false, false});
  auto args = kDeploy;
  args.insert(args.end(), {"--canary", "--steps", "10:5m,50:5m", "--no-wait"});
  CHECK(p.run(args) == 0);
  REQUIRE(p.transport.requests.size() == 1);
  CHECK(nlohmann::json::parse(p.transport.requests[0].body) ==
        nlohmann::json{{"version", "v3"}, {"canary", true}, {"canary_steps", "10:5m,50:5m"}});
  TestProcess q;
  auto steps_only = kDeploy;
  steps_only.insert(steps_only.end(), {"--steps", "10:5m"});
  CHECK(q.run(steps_only) == 2);
  CHECK(q.transport.requests.empty());
}

TEST_CASE("canary status prints the step and numbers, promote and abort POST", "[client][canary]") {
  nlohmann::json status{{"deployment_id", "dep-42"}, {"state", "running"}, {"step", 1}, {"steps", 2},
                        {"weight", 10}, {"canary_version", "v3"}, {"canary_color", "green"},
                        {"stable_version", "v2"}, {"stable_color", "blue"}, {"elapsed_ms", 1200},
                        {"step_length_ms", 300000},
                        {"verdict", {{"outcome", "not_enough_data"},
                                     {"canary", {{"requests", 7}, {"errors", 1}, {"failed_connects", 0},
                                                 {"error_ratio", 0.142857}, {"p95_ms", 3.5}}},
                                     {"stable", {{"requests", 63}, {"errors", 0}, {"failed_connects", 0},
                                                 {"error_ratio", 0.0}, {"p95_ms", 2.0}}}}}};
  TestProcess p;
  p.transport.script.push_back({{200, "application/json", status.dump()}, {}, false, false});
  CHECK(p.run({"canary", "status", "--app", "web", "--env", "staging"}) == 0);
  CHECK(p.transport.requests.at(0).target == "/v1/apps/web/envs/staging/canary");
  CHECK(p.transport.requests.at(0).method == "GET");
  CHECK(p.out.str().find("step 1 of 2, 10% to v3 (green)") != std::string::npos);
  CHECK(p.out.str().find("canary: 7 requests, 1 errors (14.29%)") != std::string::npos);
  TestProcess a;
  a.transport.script.push_back({{202, "application/json", status.dump()}, {}, false, false});
  CHECK(a.run({"canary", "abort", "--app", "web", "--env", "staging", "--json"}) == 0);
  CHECK(a.transport.requests.at(0).target == "/v1/apps/web/envs/staging/canary/abort");
  CHECK(a.transport.requests.at(0).method == "POST");
  TestProcess none;
  none.transport.script.push_back(
      {{404, "application/json", R"({"error":{"code":"not_found","message":"no canary runs in web/staging"}})"},
       {},
       false,
       false});
  CHECK(none.run({"canary", "status", "--app", "web", "--env", "staging"}) == 3);
  CHECK(none.run({"canary", "frobnicate", "--app", "web", "--env", "staging"}) == 2);
}
