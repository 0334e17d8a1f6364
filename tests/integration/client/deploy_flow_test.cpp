// The real fical-client driving real deployments through a real fical-agent, with the real
// private dockerd, registry and an nginx of the test's own. Output is not a TTY here, so it
// is the plain (SSM) form.
#include <signal.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/integration/client/programs.hpp"
#include "tests/support/test_site.hpp"

using namespace fical::client::testing;
using fical::testing::TestEnv;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace std::chrono_literals;

namespace {

/// An app of its own (two environments: staging, and slow whose containers boot in 4 s)
/// on a TestSite (private nginx; its containers are removed at the end).
struct LiveApp {
  fical::testing::TestSite site{"cl"};
  const std::string app = site.app();
  std::unique_ptr<Agent> agent;

  LiveApp() {
    auto yaml = site.docker_and_nginx_yaml() + "apps:\n  " + app + ":\n    environments:\n" +
                environment("staging", "") + environment("slow", "env: {BOOT_DELAY: \"4\"}\n");
    for (const char* name : {"staging", "slow"}) site.route(name);
    agent = std::make_unique<Agent>("", yaml);
  }

  ~LiveApp() { agent.reset(); }

  std::string environment(const std::string& name, const std::string& service_extra) const {
    return site.environment_yaml(name, "retain: 5\n", "health: {http: /health, deadline: 20s}\n" + service_extra);
  }

  /// The client with the deployer token over the unix socket.
  std::vector<std::string> client(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--url", agent->unix_url(), "--token-file", agent->deployer_token_file().string()});
    return client_argv(args);
  }
  Ran run(const std::vector<std::string>& args) const {
    return run_program(client(args), {{"PATH", "/usr/bin:/bin"}}, 180s);
  }
  std::vector<std::string> deploy(const std::string& env, const std::string& version) const {
    return {"deploy", "--app", app, "--env", env, "--version", version};
  }
};

std::vector<std::string> with_json(std::vector<std::string> args) {
  args.push_back("--json");
  return args;
}

std::string last_line(const std::string& text) {
  auto end = text.size() && text.back() == '\n' ? text.size() - 1 : text.size();
  return text.substr(text.rfind('\n', end - 1) + 1, end - text.rfind('\n', end - 1) - 1);
}

}  // namespace

TEST_CASE("deploy, status, releases and rollback with the real client", "[client][engine]") {
  LiveApp live;
  auto first = live.run(live.deploy("staging", "v1"));
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Contains("deploy " + live.app + "/staging v1: deployment "));
  CHECK_THAT(first.out, Contains(" switch: "));
  CHECK_THAT(last_line(first.out), StartsWith("OK " + live.app + "/staging: v1 is live (deploy "));
  CHECK(first.out.size() < 2500);  // a whole normal deploy fits SSM's console
  CHECK(first.out.find('\r') == std::string::npos);

  auto second = live.run(with_json(live.deploy("staging", "v2")));
  REQUIRE(second.exit_code == 0);
  auto record = nlohmann::json::parse(second.out);
  CHECK(record["state"] == "succeeded");
  CHECK(record["previous_version"] == "v1");

  auto status = live.run({"status", "--app", live.app, "--env", "staging"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Contains("  live:     v2 (color "));
  auto releases = live.run({"releases", "--app", live.app, "--env", "staging"});
  CHECK(releases.exit_code == 0);
  CHECK_THAT(releases.out, Contains("v1"));
  CHECK_THAT(releases.out, Contains("v2"));

  auto logs = live.run({"logs", "--app", live.app, "--env", "staging", "--service", "web", "--tail", "5"});
  INFO(logs.out << logs.err);
  CHECK(logs.exit_code == 0);
  CHECK(logs.err.empty());

  auto back = live.run({"rollback", "--app", live.app, "--env", "staging"});
  INFO(back.out << back.err);
  CHECK(back.exit_code == 0);
  CHECK_THAT(last_line(back.out), StartsWith("OK " + live.app + "/staging: v1 is live (rollback "));

  auto history = live.run({"history", "--app", live.app, "--env", "staging", "--limit", "2"});
  INFO(history.out << history.err);
  CHECK(history.exit_code == 0);
  CHECK(history.out.find("rollback  v1") < history.out.find("deploy    v2"));  // newest first
  CHECK(std::count(history.out.begin(), history.out.end(), '\n') == 3);       // header + 2: the limit
  auto listed = nlohmann::json::parse(
      live.run({"history", "--app", live.app, "--env", "staging", "--json"}).out);
  REQUIRE(listed.size() == 3);
  CHECK(listed[2]["version"] == "v1");
  CHECK(listed[2]["state"] == "succeeded");
}

TEST_CASE("on a terminal the client redraws one progress line in place", "[client][engine][tty]") {
  LiveApp live;
  Program client(live.client(live.deploy("slow", "v1")), {{"PATH", "/usr/bin:/bin"}}, true);
  auto ran = client.finish(120s);
  INFO(ran.out << ran.err);
  CHECK(ran.exit_code == 0);
  CHECK_THAT(ran.out, StartsWith("deploy " + live.app + "/slow v1  [deployment "));
  CHECK_THAT(ran.out, Contains("\r\033[2K  ..   start     "));  // the status line, redrawn
  CHECK_THAT(ran.out, Contains("  ok   health    at "));
  CHECK_THAT(ran.out, Contains("OK " + live.app + "/slow: v1 is live"));
  CHECK_THAT(ran.out, !Contains(" health: "));  // not the plain form
}

TEST_CASE("a failing migration is exit 1 with reason and logs in the first 2,500 characters",
          "[client][engine][ssm]") {
  LiveApp live;
  REQUIRE(live.run(live.deploy("staging", "v1")).exit_code == 0);
  auto failed = live.run(live.deploy("staging", "v3-badmigrate"));
  INFO(failed.out << failed.err);
  CHECK(failed.exit_code == 1);
  auto window = failed.out.substr(0, 2500);
  CHECK_THAT(window, Contains("FAILED: " + live.app + "/staging v3-badmigrate: "));
  CHECK_THAT(window, Contains("last log lines (migrate):"));
  CHECK_THAT(last_line(failed.out), Contains("v1 still serves"));
}

TEST_CASE("timeout is exit 4 naming the wait command, and wait then sees it through",
          "[client][engine]") {
  LiveApp live;
  auto args = live.deploy("slow", "v1");
  args.insert(args.end(), {"--timeout", "1s"});
  auto gave_up = live.run(args);
  INFO(gave_up.out << gave_up.err);
  REQUIRE(gave_up.exit_code == 4);
  CHECK_THAT(gave_up.out, Contains("TIMED OUT: the --timeout of 1s passed"));
  auto at = gave_up.out.find("fical-client wait ");
  REQUIRE(at != std::string::npos);
  auto id = gave_up.out.substr(at + 18, gave_up.out.find_first_of(" \n", at + 18) - at - 18);
  auto waited = live.run({"wait", id});
  INFO(waited.out << waited.err);
  CHECK(waited.exit_code == 0);
  CHECK_THAT(last_line(waited.out), StartsWith("OK " + live.app + "/slow: v1 is live"));
}

TEST_CASE("cancel stops a running deployment and wait reports it", "[client][engine]") {
  LiveApp live;
  auto args = live.deploy("slow", "v1");
  args.push_back("--no-wait");
  auto started = live.run(args);
  REQUIRE(started.exit_code == 0);
  auto id = started.out.substr(0, started.out.size() - 1);
  auto cancel = live.run({"cancel", id});
  INFO(cancel.out << cancel.err);
  CHECK(cancel.exit_code == 0);
  CHECK_THAT(cancel.out, StartsWith("cancel requested for deployment " + id));
  auto waited = live.run({"wait", id});
  INFO(waited.out << waited.err);
  CHECK(waited.exit_code == 1);
  CHECK_THAT(last_line(waited.out), StartsWith("CANCELLED " + live.app + "/slow: v1 cancelled in "));
}

TEST_CASE("no-wait prints the id at once", "[client][engine]") {
  LiveApp live;
  auto args = live.deploy("slow", "v1");
  args.push_back("--no-wait");
  auto started = live.run(args);
  REQUIRE(started.exit_code == 0);
  auto id = started.out.substr(0, started.out.size() - 1);
  CHECK(started.out.find('\n') == started.out.size() - 1);
  auto busy = live.run(live.deploy("slow", "v2"));
  CHECK(busy.exit_code == 3);  // one deployment per environment: 409 names the running one
  CHECK_THAT(busy.err, Contains("fical-client wait " + id));
  CHECK(live.run({"wait", id}).exit_code == 0);
}

TEST_CASE("the agent crashing mid-deploy: the client reconnects and reports the outcome",
          "[client][engine]") {
  LiveApp live;
  Program client(live.client(live.deploy("slow", "v1")), {{"PATH", "/usr/bin:/bin"}});
  REQUIRE(fical::testing::eventually([&] { return client.out_so_far().find(" start: ") != std::string::npos; }, 60s));
  live.agent->restart(SIGKILL);  // during the 4 s boot: the health gate is waiting
  auto ran = client.finish(120s);
  std::ifstream log(live.agent->dir() / "agent.log");
  std::stringstream agent_log;
  agent_log << log.rdbuf();
  INFO(ran.out << ran.err << "\nagent log:\n" << agent_log.str());
  CHECK_THAT(ran.out, Contains("client: lost the event stream"));
  // On start the agent reconciles: the deployment it was running is interrupted.
  CHECK(ran.exit_code == 1);
  CHECK_THAT(ran.out, Contains("FAILED " + live.app + "/slow: v1 interrupted (agent restarted) in "));
}
