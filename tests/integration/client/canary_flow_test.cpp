// Canary deployments end to end: the real fical-client and fical-agent, the shared dockerd
// and registry, and an nginx of the test's own whose site logs in fical_canary format.
// Under load: the client's canary commands, sticky clients and the tester's header, an
// agent SIGKILLed mid-step that resumes the step, an abort, and a kill after the canary's
// container is gone (aborted safely). Not one request through nginx fails.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/deploy/http_probe.hpp"
#include "agent/docker/http_docker_engine.hpp"
#include "agent/router/canary_upstream.hpp"
#include "agent/router/upstream.hpp"
#include "tests/integration/client/programs.hpp"
#include "tests/support/load_generator.hpp"
#include "tests/support/test_site.hpp"

using namespace fical::client::testing;
using fical::testing::eventually;
using fical::testing::TestEnv;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// One app, env prod, behind the site's nginx with the fical_canary access log; canaries
/// judged on at least 5 requests a step (latency is the unit tests' to judge).
struct CanaryFlow {
  fical::testing::TestSite site{"cy"};
  const std::string app = site.app();
  const std::filesystem::path access_log = site.nginx().upstream_dir().parent_path() / "logs" / "canary.json";
  std::unique_ptr<Agent> agent;

  CanaryFlow() {
    auto yaml = site.docker_and_nginx_yaml() + "  access_log: " + access_log.string() + "\n" + "apps:\n  " + app +
                ":\n    environments:\n" +
                site.environment_yaml("prod",
                                     "strategy: canary\nsteps: [{weight: 30, for: 60s}]\n"
                                     "analysis: { min_requests: 5, max_error_ratio: 0.2, max_p95_ratio: 50 }\n");
    site.route("prod");
    // The site's location logs in fical_canary format: nginx loads it only once the agent
    // wrote _fical.conf (its reconcile does, before any nginx -t).
    std::ofstream(site.nginx().location_dir() / (app + "-prod.conf"))
        << "location " << site.path("prod") << " { proxy_pass http://" << app << "-prod-web/; access_log "
        << access_log.string() << " fical_canary if=$upstream_addr; }\n";
    agent = std::make_unique<Agent>("", yaml);
  }

  Ran run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--url", agent->unix_url(), "--token-file", agent->deployer_token_file().string()});
    return run_program(client_argv(args), {{"PATH", "/usr/bin:/bin"}}, 180s);
  }
  /// `deploy --canary --no-wait`: the deployment's id.
  std::string start_canary(const std::string& version, const std::string& steps) const {
    auto ran = run({"deploy", "--app", app, "--env", "prod", "--version", version, "--canary", "--steps", steps,
                    "--no-wait"});
    INFO(ran.out << ran.err);
    REQUIRE(ran.exit_code == 0);
    auto id = ran.out;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (auto space = id.rfind(' '); space != std::string::npos) id = id.substr(space + 1);
    return id;
  }
  /// `canary status --json` once it answers for deployment `id` at `step` (1-based).
  json canary_at(const std::string& id, int step) const {
    json status;
    eventually([&] {
      auto ran = run({"canary", "status", "--app", app, "--env", "prod", "--json"});
      if (ran.exit_code != 0) return false;
      status = json::parse(ran.out, nullptr, false);
      return status.is_object() && status.value("deployment_id", "") == id && status.value("step", 0) == step &&
             status.value("state", "") == "running";
    }, 60s);
    // The split is loaded; the workers of nginx's previous configuration are gone.
    eventually([&] { return site.nginx().worker_count() == 1; }, 15s);
    return status;
  }
  /// `wait ID --json`: the final record and the exit code.
  std::pair<int, json> wait(const std::string& id) const {
    auto ran = run({"wait", id, "--json", "--timeout", "150s"});
    return {ran.exit_code, json::parse(ran.out, nullptr, false)};
  }
  fical::agent::deploy::HttpProbeResult get(const fical::agent::deploy::HttpHeaders& headers = {}) const {
    return fical::agent::deploy::http_probe("127.0.0.1", site.nginx().port(), site.path("prod"), 5s, headers);
  }
  /// Ten answers in a row are `version` (old nginx workers linger a moment after a reload).
  bool serves(const std::string& version) const {
    return eventually([&] {
      for (int i = 0; i < 10; ++i) {
        auto a = get();
        if (a.status != 200 || a.body != version + "\n") return false;
      }
      return true;
    }, 20s);
  }
  std::string upstream() const {
    std::ifstream in(site.nginx().upstream_dir() / (app + "-prod-web.conf"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  /// The app's running containers' names.
  std::set<std::string> running() const {
    fical::agent::docker::HttpDockerEngine docker({TestEnv::get().docker_socket, 30s});
    fical::agent::docker::ContainerFilters filters;
    filters.labels = {"fical.app=" + app};
    std::set<std::string> names;
    for (const auto& c : docker.list_containers(filters)) {
      if (c.state == "running") names.insert(c.name);
    }
    return names;
  }
  void restart_killed(const std::function<void()>& while_down = nullptr) const {
    agent->restart(SIGKILL, while_down);
    REQUIRE(eventually([&] { return fical::testing::http_get(agent->port(), "/healthz").status == 200; }, 30s));
  }
};

std::string events_of(const json& record) {
  std::string text;
  for (const auto& e : record.value("events", json::array())) text += e.value("message", "") + "\n";
  return text;
}

bool has_event(const json& record, const std::string& name) {
  for (const auto& e : record.value("events", json::array())) {
    if (e.contains("data") && e["data"].is_object() && e["data"].value("event", "") == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("canary from the client: sticky, resumed after a SIGKILL, promoted, aborted, and aborted safely",
          "[client][engine][canary]") {
  CanaryFlow t;
  auto first = t.run({"deploy", "--app", t.app, "--env", "prod", "--version", "v1"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(t.serves("v1"));
  CHECK(std::filesystem::exists(t.site.nginx().upstream_dir() / std::string(fical::agent::router::kCommonFileName)));

  fical::testing::LoadGenerator load(t.site.nginx().port(), t.site.path("prod"), 2, 300s);
  REQUIRE(load.wait_for_successes(20));

  // 1. A canary at 30%: the status, sticky cookie clients and the tester's header.
  auto id = t.start_canary("v2", "30:60s,60:60s");
  auto status = t.canary_at(id, 1);
  CHECK(status["weight"] == 30);
  CHECK(status["canary_version"] == "v2");
  CHECK(status["stable_version"] == "v1");
  CHECK(t.upstream().find("hash ") != std::string::npos);
  std::set<std::string> seen_by_all;
  for (int client = 0; client < 40; ++client) {  // the cookie hashes are fixed: so are their colors
    std::set<std::string> seen;
    for (int i = 0; i < 5; ++i) {
      auto a = t.get({{"Cookie", std::string(fical::agent::router::kCanaryCookie) + "=tester-" + std::to_string(client)}});
      seen.insert(std::to_string(a.status) + " " + a.body);
    }
    CAPTURE(client);
    CHECK(seen.size() == 1);  // one color for the whole canary
    seen_by_all.insert(seen.begin(), seen.end());
  }
  CHECK(seen_by_all.size() == 2);  // 40 clients at 30%: both colors are seen
  CHECK(t.get({{std::string(fical::agent::router::kCanaryHeader), "always"}}).body == "v2\n");
  CHECK(t.get({{std::string(fical::agent::router::kCanaryHeader), "never"}}).body == "v1\n");

  // 2. SIGKILL mid-step: the restarted agent resumes that step, the split stays in nginx.
  t.restart_killed();
  status = t.canary_at(id, 1);
  CHECK(status["weight"] == 30);
  CHECK(t.upstream().find("hash ") != std::string::npos);
  CHECK(t.get({{std::string(fical::agent::router::kCanaryHeader), "always"}}).body == "v2\n");

  // 3. promote: the remaining steps skipped, v2 live, v1 retired.
  auto promoted = t.run({"canary", "promote", "--app", t.app, "--env", "prod"});
  INFO(promoted.out << promoted.err);
  CHECK(promoted.exit_code == 0);
  auto [code, record] = t.wait(id);
  INFO(events_of(record));
  CHECK(code == 0);
  CHECK(record["state"] == "succeeded");
  CHECK(has_event(record, "canary_resumed"));
  CHECK(has_event(record, "canary_promoted"));
  CHECK(record["analysis"]["state"] == "promoted");
  CHECK(t.serves("v2"));
  CHECK(eventually([&] { return t.running().size() == 1; }, 20s));

  // 4. abort: weight 0 at once, the deployment rolled back, v2 serves.
  auto bad = t.start_canary("v3", "30:60s");
  t.canary_at(bad, 1);
  auto aborted = t.run({"canary", "abort", "--app", t.app, "--env", "prod"});
  CHECK(aborted.exit_code == 0);
  auto [abort_code, abort_record] = t.wait(bad);
  INFO(events_of(abort_record));
  CHECK(abort_code != 0);
  CHECK(abort_record["state"] == "rolled_back");
  CHECK(abort_record["analysis"]["reason"] == "operator");
  CHECK(t.serves("v2"));
  CHECK(t.run({"canary", "status", "--app", t.app, "--env", "prod"}).exit_code == 3);  // none runs

  // 5. The canary's container removed by hand, then SIGKILL: nothing to resume, so the
  //    restart aborts it safely: interrupted, all traffic on v2, no canary left.
  auto gone = t.start_canary("v3", "30:60s");
  auto at = t.canary_at(gone, 1);
  t.restart_killed([&] {  // while the agent is down: its analysis never sees it go
    fical::agent::docker::HttpDockerEngine docker({TestEnv::get().docker_socket, 30s});
    docker.remove_container(t.app + "-prod-web-" + at["canary_color"].get<std::string>(), true);
  });
  auto [gone_code, gone_record] = t.wait(gone);
  CHECK(gone_code != 0);
  CHECK(gone_record["state"] == "interrupted");
  CHECK(t.serves("v2"));
  CHECK(t.upstream().find("hash ") == std::string::npos);
  CHECK(t.run({"canary", "status", "--app", t.app, "--env", "prod"}).exit_code == 3);

  auto report = load.stop();
  INFO(report.summary());
  CHECK(report.failed == 0);
}
