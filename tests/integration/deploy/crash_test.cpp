// Killing fical-agent with SIGKILL in each phase of a deployment, under load: traffic never
// fails, the restarted agent marks the deployment interrupted, nothing is left orphaned,
// and the next deployment succeeds.
#include <signal.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <sstream>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/router/process_runner.hpp"
#include "tests/support/load_generator.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/test_site.hpp"

using namespace fical::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string agent_binary() {
  const char* path = std::getenv("FICAL_AGENT_BIN");
  if (!path) throw std::runtime_error("FICAL_AGENT_BIN is not set (ctest sets it)");
  return path;
}

/// A real fical-agent process with its own config and state, on a TestSite.
class AgentUnderTest {
 public:
  AgentUnderTest() : site_("crash"), port_(free_port()) {
    std::mt19937 random{std::random_device{}()};
    token_ = "token-" + std::to_string(random());
    auto hash = run({"sh", "-c", "printf %s \"$0\" | sha256sum | cut -c1-64", token_}).substr(0, 64);
    std::ofstream(dir_.path() / "agent.yaml")
        << "listen: [\"127.0.0.1:" << port_ << "\"]\n"
        << "state_dir: " << (dir_.path() / "state").string() << "\n"
        << "tokens: [{ id: test, sha256: \"" << hash << "\", scopes: [admin] }]\n"
        << site_.docker_and_nginx_yaml() << "apps:\n  " << app() << ":\n    environments:\n"
        << site_.environment_yaml("prod", "drain: 3s\nstop_timeout: 2s\n",
                                  "health: { http: /health, deadline: 20s }\n"
                                  "env: { BOOT_DELAY: \"1\", MIGRATE_SECONDS: \"1\" }\n");
    site_.route("prod");
    start();
  }

  ~AgentUnderTest() { process_.reset(); }

  void start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{agent_binary(), "--config", (dir_.path() / "agent.yaml").string()},
        dir_.path() / "agent.log");
    REQUIRE(eventually([&] { return http_get(port_, "/healthz").status == 200; }, 30s));
  }

  void kill9_and_restart() {
    ::kill(process_->pid(), SIGKILL);
    process_->stop(SIGKILL, 5s);
    start();
  }

  json api(const std::string& method, const std::string& path, const std::string& body = "") {
    std::vector<std::string> argv{"curl", "-s", "-X", method, "-H", "Authorization: Bearer " + token_};
    if (!body.empty()) argv.insert(argv.end(), {"-d", body});
    argv.push_back("http://127.0.0.1:" + std::to_string(port_) + path);
    auto out = run(argv);
    auto parsed = json::parse(out, nullptr, false);
    if (parsed.is_discarded()) throw std::runtime_error("not JSON from " + path + ": " + out);
    return parsed;
  }

  std::string start_deploy(const std::string& version) {
    auto d = api("POST", "/v1/apps/" + app() + "/envs/prod/deployments", json{{"version", version}}.dump());
    if (!d.contains("id")) throw std::runtime_error("deploy refused: " + d.dump());
    return d["id"];
  }

  json wait_ended(const std::string& id) {
    json d;
    eventually([&] {
      d = api("GET", "/v1/deployments/" + id);
      return d.value("state", "") != "running" && d.value("state", "") != "pending";
    }, 90s);
    return d;
  }

  /// Containers of the app as "name:state".
  std::vector<std::string> containers() {
    auto out = run({"docker", "ps", "-a", "--filter", "label=fical.app=" + app(), "--format", "{{.Names}}:{{.State}}"});
    std::vector<std::string> names;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) names.push_back(line);
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string served() {
    auto body = http_get(nginx_port(), path()).body;
    while (!body.empty() && body.back() == '\n') body.pop_back();
    return body;
  }
  bool settled_on(const std::string& version) {
    return eventually([&] { return site_.nginx().worker_count() == 1 && served() == version; });
  }
  std::uint16_t nginx_port() const { return site_.nginx().port(); }
  std::string path() const { return site_.path("prod"); }
  const std::string& app() const { return site_.app(); }
  std::string log() const {
    std::ifstream in(dir_.path() / "agent.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  static std::string run(const std::vector<std::string>& argv) {
    fical::agent::router::SpawnProcessRunner runner;
    auto env_docker = "unix://" + TestEnv::get().docker_socket;
    ::setenv("DOCKER_HOST", env_docker.c_str(), 1);
    return runner.run(argv, 30s).output;
  }

  TestSite site_;  // first: its cleanup runs after the agent is gone
  TempDir dir_;
  std::uint16_t port_;
  std::string token_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace

TEST_CASE("killing the agent in any phase never fails traffic and recovers", "[deploy][crash]") {
  AgentUnderTest agent;
  auto first = agent.wait_ended(agent.start_deploy("v1"));
  REQUIRE(first["state"] == "succeeded");
  std::string live = "v1";
  int next = 2;
  // One run through the phases (a DYNAMIC_SECTION here made Catch rerun the whole loop
  // once per phase: five times the kills, none of them checked more).
  for (std::string phase : {"pull", "migrate", "health", "switch", "drain"}) {
    INFO("kill -9 in the " << phase << " phase");
    REQUIRE(agent.settled_on(live));
    LoadGenerator load(agent.nginx_port(), agent.path());
    REQUIRE(load.wait_for_successes(20));
    std::string version = next % 2 == 0 ? "v2" : "v1";
    ++next;
    auto id = agent.start_deploy(version);
    // Poll the record until it reaches the phase (or passes it: switch lasts milliseconds).
    const std::vector<std::string> order{"preflight", "pull", "migrate", "start", "health", "switch", "verify", "drain", "retire", "done"};
    auto rank = [&](const std::string& p) { return std::find(order.begin(), order.end(), p) - order.begin(); };
    std::string reached, state;
    REQUIRE(eventually([&] {
      auto d = agent.api("GET", "/v1/deployments/" + id);
      reached = d.value("phase", "");
      state = d.value("state", "");
      bool ended = state != "running" && state != "pending";
      return (state == "running" && rank(reached) >= rank(phase)) || ended;
    }, 60s));
    // Killed while it runs, in this phase or (for the phases that last milliseconds) just
    // after it: never before it, never once it ended.
    INFO("reached " << reached << " (" << state << ") when killed");
    REQUIRE(state == "running");
    REQUIRE(rank(reached) >= rank(phase));
    REQUIRE(rank(reached) <= rank(phase) + 2);
    agent.kill9_and_restart();
    auto after = agent.api("GET", "/v1/deployments/" + id);
    INFO("reached " << reached << "; record: " << after.dump().substr(0, 600) << "\nagent log:\n" << agent.log());
    CHECK(after["state"] == "interrupted");
    // The release that is live now serves; the other color does not run.
    auto status = agent.api("GET", "/v1/apps/" + agent.app() + "/envs/prod");
    live = status["live"]["version"];
    REQUIRE(agent.settled_on(live));
    auto report = load.stop();
    INFO(report.summary());
    CHECK(report.failed == 0);
    // An old color left running gets its drain (3 s), then only the live one runs.
    auto running = [&] {
      auto all = agent.containers();
      return std::count_if(all.begin(), all.end(), [](const std::string& c) { return c.ends_with(":running"); });
    };
    CHECK(eventually([&] { return running() == 1; }, 15s));
    // The next deployment succeeds.
    std::string again = live == "v3" ? "v2" : "v3";
    auto d = agent.wait_ended(agent.start_deploy(again));
    CHECK(d["state"] == "succeeded");
    // Then nothing is left but the two colors (a migration container can outlive the crash
    // until the next deployment removes it).
    CHECK(eventually([&] { return running() == 1; }, 15s));
    auto containers = agent.containers();
    std::string names;
    for (const auto& c : containers) names += c + " ";
    INFO("containers: " << names);
    CHECK(containers.size() <= 2);
    live = again;
  }
}
