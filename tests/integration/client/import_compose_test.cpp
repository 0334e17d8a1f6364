// `fical-agent import-compose` on a seed-like compose file (backend + frontend of the test
// image, env_file .env.${ENVIRONMENT}, a healthcheck, depends_on, a postgres accessory),
// then a real agent deploying what it printed, unchanged, on host networking: the shared
// dockerd and registry, an nginx of the test's own.
#include <catch2/catch.hpp>
#include <fstream>

#include "agent/router/upstream.hpp"
#include "tests/integration/client/programs.hpp"
#include "tests/support/test_site.hpp"

using namespace fical::client::testing;
using Catch::Matchers::Contains;
using fical::testing::TestEnv;
using namespace std::chrono_literals;

namespace {

const char* kCompose = R"(services:
  backend:
    image: ${TEST_IMAGE}:v1
    env_file: .env.${ENVIRONMENT}
    ports: ["${BACKEND_PORT}:8080"]
    environment:
      BOOT_DELAY: "0"
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/health || exit 1"]
      interval: 2s
      retries: 5
    restart: unless-stopped
    depends_on: [db]
  frontend:
    image: ${TEST_IMAGE}
    ports: ["${FRONTEND_PORT}:8080"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
    restart: unless-stopped
    depends_on:
      backend:
        condition: service_healthy
  db:
    image: postgres:16
    restart: unless-stopped
)";

// The operator's nginx: the frontend at / (where fical verifies), the backend under /api/.
void route(const fical::testing::TestSite& site, const std::string& env) {
  for (const char* service : {"backend", "frontend"}) {
    fical::agent::router::UpstreamTarget nowhere{site.app(), env,    service,
                                                 "none",     "none", {"127.0.0.1:9"}, {}};
    std::ofstream(site.nginx().upstream_dir() / fical::agent::router::upstream_file_name(nowhere))
        << fical::agent::router::render_upstream(nowhere);
  }
  auto upstream = site.app() + "-" + env + "-";
  std::ofstream(site.nginx().location_dir() / (site.app() + ".conf"))
      << "location / { proxy_pass http://" << upstream << "frontend/; }\n"
      << "location /api/ { proxy_pass http://" << upstream << "backend/; }\n";
}

}  // namespace

TEST_CASE("a compose file imported by fical-agent deploys as it was printed", "[compose][engine]") {
  fical::testing::TestSite site{"cmp"};
  fical::testing::TempDir project;
  auto base = fical::testing::free_port();
  write_file(project.path() / "docker-compose.yml", kCompose, 0644);
  write_file(project.path() / ".env", "TEST_IMAGE=" + TestEnv::get().test_image +
                                          "\nBACKEND_PORT=" + std::to_string(base) +
                                          "\nFRONTEND_PORT=" + std::to_string(base + 10) + "\n");
  write_file(project.path() / ".env.staging", "GREETING=staging\n");
  write_file(project.path() / ".env.production", "GREETING=production\n");

  auto imported =
      run_program({FICAL_AGENT_BINARY, "import-compose",
                   (project.path() / "docker-compose.yml").string(), "--app", site.app(), "--env",
                   "staging=ENVIRONMENT=staging", "--env", "production=ENVIRONMENT=production"},
                  {{"PATH", "/usr/bin:/bin"}}, 10s);
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK_THAT(imported.err, Contains("accessory: services.db: postgres: "));
  CHECK_THAT(imported.out, Contains("env_file: " + (project.path() / ".env.staging").string()));
  CHECK_THAT(imported.out, Contains("ports: { blue: " + std::to_string(base) +
                                    ", green: " + std::to_string(base + 1)));

  route(site, "staging");
  Agent agent("", site.docker_and_nginx_yaml() + imported.out);
  auto checked = run_program(
      {FICAL_AGENT_BINARY, "--check-config", "--config", (agent.dir() / "agent.yaml").string()},
      {{"PATH", "/usr/bin:/bin"}}, 10s);
  CHECK(checked.exit_code == 0);
  CHECK(checked.out == "ok\n");

  auto deployed = run_program(
      client_argv({"--url", agent.unix_url(), "--token-file", agent.deployer_token_file().string(),
                   "deploy", "--app", site.app(), "--env", "staging", "--version", "v1"}),
      {{"PATH", "/usr/bin:/bin"}}, 90s);
  INFO(deployed.out << deployed.err);
  REQUIRE(deployed.exit_code == 0);
  auto front = fical::testing::http_get(site.nginx().port(), "/");
  CHECK(front.status == 200);
  CHECK(front.body == "v1\n");
  auto back = fical::testing::http_get(site.nginx().port(), "/api/health");
  CHECK(back.status == 200);
  CHECK(back.body == "ok\n");
}
