// Maintenance mode end to end: the real fical-client and fical-agent, the shared dockerd and
// registry, and an nginx of the test's own serving two envs of one app and a second app.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/deploy/http_probe.hpp"
#include "agent/docker/http_docker_engine.hpp"
#include "agent/router/maintenance.hpp"
#include "agent/router/upstream.hpp"
#include "agent/store/sqlite.hpp"
#include "tests/integration/client/programs.hpp"
#include "tests/support/test_site.hpp"

using namespace fical::client::testing;
using fical::testing::TestEnv;
using namespace std::chrono_literals;

namespace {

/// App `site.app()` with envs prod and staging, and app `other` with env prod, all behind
/// the site's nginx; the other app's containers are removed at the end (the site's go
/// with the site).
struct TwoApps {
  fical::testing::TestSite site{"mt"};
  const std::string app = site.app();
  const std::string other = site.app() + "-b";
  std::unique_ptr<Agent> agent;

  TwoApps() {
    auto nginx_yaml = site.docker_and_nginx_yaml() + "  maintenance_port: " +
                      std::to_string(fical::testing::free_port()) + "\n";
    auto yaml = nginx_yaml + "apps:\n  " + app + ":\n    environments:\n" + site.environment_yaml("prod") +
                site.environment_yaml("staging") + "  " + other + ":\n    environments:\n" +
                site.environment_yaml("prod", "verify_path: " + path(other, "prod") + "\n");
    site.route("prod");
    site.route("staging");
    route_other();
    agent = std::make_unique<Agent>("", yaml);
  }

  ~TwoApps() {
    agent.reset();
    try {
      fical::agent::docker::HttpDockerEngine docker({TestEnv::get().docker_socket, 30s});
      fical::agent::docker::ContainerFilters filters;
      filters.labels = {"fical.app=" + other};
      for (const auto& c : docker.list_containers(filters)) docker.remove_container(c.id, true);
    } catch (...) {
    }
  }

  static std::string path(const std::string& app, const std::string& env) { return "/" + app + "-" + env + "/"; }

  // As TestSite::route does for the site's own app.
  void route_other() const {
    fical::agent::router::UpstreamTarget nowhere{other, "prod", "web", "none", "none", {"127.0.0.1:9"}, {}};
    std::ofstream(site.nginx().upstream_dir() / fical::agent::router::upstream_file_name(nowhere))
        << fical::agent::router::render_upstream(nowhere);
    std::ofstream(site.nginx().location_dir() / (other + "-prod.conf"))
        << "location " << path(other, "prod") << " { proxy_pass http://" << other << "-prod-web/; }\n";
  }

  Ran run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--url", agent->unix_url(), "--token-file", agent->deployer_token_file().string()});
    return run_program(client_argv(args), {{"PATH", "/usr/bin:/bin"}}, 180s);
  }
  Ran deploy(const std::string& app_name, const std::string& env, const std::string& version) const {
    return run({"deploy", "--app", app_name, "--env", env, "--version", version});
  }
  fical::agent::deploy::HttpProbeResult get(const std::string& app_name, const std::string& env) const {
    return fical::agent::deploy::http_probe("127.0.0.1", site.nginx().port(), path(app_name, env), 5s);
  }
  /// Ten answers in a row (old nginx workers linger a moment after a reload) pass `check`.
  bool steadily(const std::string& app_name, const std::string& env,
                const std::function<bool(const fical::agent::deploy::HttpProbeResult&)>& check) const {
    return fical::testing::eventually([&] {
      for (int i = 0; i < 10; ++i) {
        if (!check(get(app_name, env))) return false;
      }
      return true;
    }, 15s);
  }
  bool serves(const std::string& app_name, const std::string& env, const std::string& version) const {
    return steadily(app_name, env, [&](const auto& a) { return a.status == 200 && a.body == version + "\n"; });
  }
  bool in_maintenance_page(const std::string& app_name, const std::string& env) const {
    return steadily(app_name, env, [&](const auto& a) {
      return a.status == 503 && a.header("Retry-After") == "600" && a.header("Cache-Control") == "no-store" &&
             a.body.find("Back at 14:00 &lt;UTC&gt;") != std::string::npos;
    });
  }
};

}  // namespace

TEST_CASE("maintenance on one env: 503 there only, across a restart and a deploy, off serves the new release",
          "[client][engine][maintenance]") {
  TwoApps t;
  for (const auto& [app, env] : {std::pair{t.app, "prod"}, std::pair{t.app, "staging"}, std::pair{t.other, "prod"}}) {
    auto ran = t.deploy(app, env, "v1");
    INFO(ran.out << ran.err);
    REQUIRE(ran.exit_code == 0);
  }
  REQUIRE(t.serves(t.app, "prod", "v1"));

  auto on = t.run({"maintenance", "on", "--app", t.app, "--env", "prod", "--message", "Back at 14:00 <UTC>",
                   "--retry-after", "10m"});
  INFO(on.out << on.err);
  REQUIRE(on.exit_code == 0);
  CHECK(t.in_maintenance_page(t.app, "prod"));
  CHECK(t.serves(t.app, "staging", "v1"));  // the other env of the app
  CHECK(t.serves(t.other, "prod", "v1"));   // the other app's env of the same name
  auto status = nlohmann::json::parse(t.run({"status", "--app", t.app, "--env", "prod", "--json"}).out);
  CHECK(status["maintenance"]["message"] == "Back at 14:00 <UTC>");
  CHECK(status["maintenance"]["retry_after"] == 600);
  CHECK(status["maintenance"]["by"] == "deployer");

  // Durable: after a restart (its reconcile and route keeper included) the page stays.
  t.agent->restart(SIGTERM);
  REQUIRE(fical::testing::eventually(
      [&] { return fical::testing::http_get(t.agent->port(), "/healthz").status == 200; }, 30s));
  CHECK(t.in_maintenance_page(t.app, "prod"));
  status = nlohmann::json::parse(t.run({"status", "--app", t.app, "--env", "prod", "--json"}).out);
  CHECK(status["maintenance"]["message"] == "Back at 14:00 <UTC>");

  // A deploy goes through: its verify passes the page (a 503 would roll it back, exit 1).
  auto deployed = t.deploy(t.app, "prod", "v2");
  INFO(deployed.out << deployed.err);
  CHECK(deployed.exit_code == 0);
  CHECK(t.in_maintenance_page(t.app, "prod"));
  auto answer = fical::agent::deploy::http_probe("127.0.0.1", t.site.nginx().port(), TwoApps::path(t.app, "prod"), 5s,
                                                 {{"X-Fical-Verify", "not-the-secret-0123456789"}});
  CHECK(answer.status == 503);  // a guessed header is no way past

  auto off = t.run({"maintenance", "off", "--app", t.app, "--env", "prod"});
  INFO(off.out << off.err);
  CHECK(off.exit_code == 0);
  CHECK(t.serves(t.app, "prod", "v2"));
  CHECK(t.serves(t.app, "staging", "v1"));
  CHECK_FALSE(std::filesystem::exists(t.site.nginx().upstream_dir() /
                                      fical::agent::router::maintenance_file_name(t.app, "prod")));
  status = nlohmann::json::parse(t.run({"status", "--app", t.app, "--env", "prod", "--json"}).out);
  CHECK(status["maintenance"].is_null());

  // The verify secret is in fical.db (and was in the maintenance file), never in the log.
  fical::agent::store::Connection db(t.agent->dir() / "state" / "fical.db",
                                     fical::agent::store::Connection::Mode::read_only);
  auto secret = db.scalar_text("SELECT value FROM meta WHERE key = 'verify_secret'").value_or("");
  CHECK(secret.size() == 32);
  std::ifstream log(t.agent->dir() / "agent.log");
  std::string agent_log((std::istreambuf_iterator<char>(log)), {});
  CHECK(!agent_log.empty());
  CHECK(agent_log.find(secret) == std::string::npos);

  CHECK(t.run({"maintenance", "on", "--app", t.app, "--env", "nope"}).exit_code == 3);
  CHECK(t.run({"maintenance", "on", "--app", t.app, "--env", "prod", "--retry-after", "soon"}).exit_code == 2);
}
