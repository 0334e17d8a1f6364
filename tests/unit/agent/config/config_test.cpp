#include "agent/config/config.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace fical::agent::config;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string valid_config() {
  return R"(
listen: ["127.0.0.1:7070", "unix:/run/fical/agent.sock", "[::1]:7071"]
docker: { socket: /var/run/docker.sock }
state_dir: /var/lib/fical
tokens:
  - { id: ssm-deploy, sha256: ")" + kToken + R"(", scopes: [read, deploy] }
  - { id: dashboard, sha256: ")" + std::string(64, 'f') + R"(", scopes: [read], apps: [filter-ical] }
nginx:
  upstream_dir: /opt/platform/nginx/upstreams
  reload: { container: nginx-platform }
apps:
  filter-ical:
    environments:
      staging:
        network: platform
        env_file: /opt/apps/filter-ical/.env.staging
        retain: 5
        drain: 10s
        services:
          backend:
            image: ghcr.io/owner/filter-ical-backend
            port: 3000
            health: { http: /health, deadline: 60s }
            migrate: { command: [alembic, upgrade, head] }
          frontend:
            image: ghcr.io/owner/filter-ical-frontend
            port: 80
            health: { http: /health }
      production:
        services:
          web:
            image: 127.0.0.1:5000/web
            ports: { blue: 18001, green: 18002 }
            health: { http: /health, interval: 50ms }
          worker:
            image: 127.0.0.1:5000/web
            command: [/app/worker]
)";
}

std::string errors_of(const ParseResult& result) {
  std::string all;
  for (const auto& e : result.errors) all += e.to_string() + "\n";
  return all;
}

ParseResult parse_with(const std::string& yaml) { return parse_config(yaml); }

}  // namespace

TEST_CASE("the architecture's example config parses", "[config]") {
  auto result = parse_config(valid_config());
  INFO(errors_of(result));
  REQUIRE(result.config);
  const auto& c = *result.config;
  REQUIRE(c.http.listen.size() == 3);
  CHECK(c.http.listen[0].host == "127.0.0.1");
  CHECK(c.http.listen[0].port == 7070);
  CHECK(c.http.listen[1].kind == ListenAddress::Kind::unix_socket);
  CHECK(c.http.listen[1].path == "/run/fical/agent.sock");
  CHECK(c.http.listen[2].host == "::1");
  CHECK(c.tokens[1].apps == std::vector<std::string>{"filter-ical"});
  CHECK(c.nginx.reload.kind == NginxReload::Kind::container);
  CHECK(c.nginx.reload.container == "nginx-platform");
  const auto* staging = c.find_app("filter-ical")->find_environment("staging");
  REQUIRE(staging);
  CHECK(staging->drain == 10s);
  CHECK(staging->env_file == "/opt/apps/filter-ical/.env.staging");
  const auto* backend = staging->find_service("backend");
  CHECK(backend->port == 3000);
  CHECK(backend->health.http_path == "/health");
  CHECK(backend->health.deadline == 60s);
  CHECK(backend->migrate->command == std::vector<std::string>{"alembic", "upgrade", "head"});
  const auto* production = c.find_app("filter-ical")->find_environment("production");
  CHECK(production->host_network());
  CHECK(production->find_service("web")->blue_port == 18001);
  CHECK(production->find_service("web")->health.first_interval == 50ms);
  // A worker without checks must stay up 5 s to pass its gate.
  CHECK(production->find_service("worker")->health.min_healthy == 5s);
}

TEST_CASE("JSON is accepted as well", "[config]") {
  auto result = parse_config(R"({"listen": ["127.0.0.1:7070"], "state_dir": "/tmp/x"})");
  INFO(errors_of(result));
  REQUIRE(result.config);
  CHECK(result.config->state_dir == "/tmp/x");
}

TEST_CASE("every error is reported with its path, not only the first", "[config]") {
  auto result = parse_with(R"(
listen: ["0.0.0.0:7070", "localhost:1"]
colour: blue
tokens:
  - { id: Bad_Id, sha256: "abc", scopes: [root] }
apps:
  web:
    environments:
      staging:
        services:
          backend:
            image: ghcr.io/o/web:v1
            port: 70000
            health: { http: health, deadline: soon }
          frontend: { image: ghcr.io/o/front, port: 81, health: { http: / } }
)");
  CHECK_FALSE(result.config);
  auto all = errors_of(result);
  INFO(all);
  CHECK_THAT(all, Catch::Contains("listen[0]: 0.0.0.0:7070 is not a loopback address"));
  CHECK_THAT(all, Catch::Contains("listen[1]: \"localhost:1\": host must be an IP address"));
  CHECK_THAT(all, Catch::Contains("colour: unknown key"));
  CHECK_THAT(all, Catch::Contains("tokens[0].id: \"Bad_Id\""));
  CHECK_THAT(all, Catch::Contains("tokens[0].sha256: must be 64 hex digits"));
  CHECK_THAT(all, Catch::Contains("tokens[0].scopes: \"root\" is not read, deploy, promote or admin"));
  CHECK_THAT(all, Catch::Contains("apps.web.environments.staging.services.backend.image: name the repository only"));
  CHECK_THAT(all, Catch::Contains("apps.web.environments.staging.services.backend.port: must be 1-65535"));
  CHECK_THAT(all, Catch::Contains("apps.web.environments.staging.services.backend.health.http: must be a path"));
  CHECK_THAT(all, Catch::Contains("apps.web.environments.staging.services.backend.health.deadline: \"soon\" is not a duration"));
  CHECK_THAT(all, Catch::Contains("nginx: is required"));
  CHECK_THAT(all, !Catch::Contains("needs the service's port"));
}

TEST_CASE("host networking needs distinct ports per color across the host", "[config]") {
  auto result = parse_with(R"(
nginx: { upstream_dir: /tmp/u }
apps:
  a:
    environments:
      staging:
        services:
          web: { image: r/a, port: 80, health: { http: / } }
      prod:
        services:
          web: { image: r/a, ports: { blue: 9001, green: 9001 }, health: { http: / } }
  b:
    environments:
      prod:
        services:
          web: { image: r/b, ports: { blue: 9002, green: 9003 }, health: { http: / } }
          api: { image: r/b, ports: { blue: 9003, green: 9004 }, health: { http: / } }
)");
  auto all = errors_of(result);
  INFO(all);
  CHECK_THAT(all, Catch::Contains("apps.a.environments.staging.services.web.ports: with network: host each color needs its own port"));
  CHECK_THAT(all, Catch::Contains("apps.a.environments.prod.services.web.ports: blue and green must differ"));
  CHECK_THAT(all, Catch::Contains("apps.b.environments.prod.services.api.ports.blue: port 9003 is also used by apps.b.environments.prod.services.web.ports.green"));
}

TEST_CASE("routed services need a health check and envs at most one migration", "[config]") {
  auto result = parse_with(R"(
nginx: { upstream_dir: /tmp/u }
apps:
  a:
    environments:
      staging:
        network: platform
        services:
          web: { image: r/a, port: 80, migrate: { command: [m] } }
          api: { image: r/a, port: 81, health: { docker: true }, migrate: { command: [m] } }
)");
  auto all = errors_of(result);
  INFO(all);
  CHECK_THAT(all, Catch::Contains("apps.a.environments.staging.services.web.health: a service with a port needs a health check"));
  CHECK_THAT(all, Catch::Contains("apps.a.environments.staging.services: at most one service per environment may have migrate"));
}

TEST_CASE("nginx reload takes exactly one way", "[config]") {
  auto result = parse_with("nginx: { upstream_dir: /u, reload: { pidfile: /run/n.pid, command: [x] } }");
  CHECK_THAT(errors_of(result), Catch::Contains("nginx.reload: set exactly one of pidfile, container or command"));
  auto command = parse_with("nginx: { upstream_dir: /u, reload: { command: [/usr/sbin/nginx, -s, reload] } }");
  REQUIRE(command.config);
  CHECK(command.config->nginx.reload.kind == NginxReload::Kind::command);
  CHECK(command.config->nginx.reload.command.size() == 3);
}

TEST_CASE("a non-loopback listener is allowed with tls or insecure", "[config]") {
  CHECK(parse_with("listen: ['0.0.0.0:7070']\ninsecure: true").config);
  CHECK(parse_with("listen: ['0.0.0.0:7070']\ntls: { cert_file: /c.pem, key_file: /k.pem }").config);
}

TEST_CASE("tokens must name configured apps, and hashes are normalised", "[config]") {
  auto result = parse_with("tokens: [{ id: t, sha256: '" + std::string(64, 'A') + "', scopes: [read], apps: [ghost] }]");
  CHECK_THAT(errors_of(result), Catch::Contains("token \"t\" names app \"ghost\", which is not configured"));
  auto ok = parse_with("tokens: [{ id: t, sha256: '" + std::string(64, 'A') + "', scopes: [admin] }]");
  REQUIRE(ok.config);
  CHECK(ok.config->tokens[0].sha256_hex == std::string(64, 'a'));
}

TEST_CASE("a token may have the promote scope alone", "[config][promote]") {
  auto ok = parse_with("tokens: [{ id: ci-promote, sha256: '" + std::string(64, 'b') + "', scopes: [promote] }]");
  REQUIRE(ok.config);
  REQUIRE(ok.config->tokens.size() == 1);
  CHECK(ok.config->tokens[0].scopes == std::vector<Scope>{Scope::promote});
  CHECK(std::string(to_string(Scope::promote)) == "promote");
}

TEST_CASE("broken YAML says where", "[config]") {
  auto result = parse_with("listen: [127.0.0.1:7070\nstate_dir: /x\n");
  REQUIRE(result.errors.size() == 1);
  CHECK_THAT(result.errors[0].message, Catch::StartsWith("not valid YAML at line"));
  CHECK(parse_with("").errors[0].message == "the configuration is empty");
  CHECK(parse_with("- a\n- b").errors[0].to_string() == "(top level): must be a map of keys to values");
}

TEST_CASE("build contexts may not escape the repository", "[config]") {
  auto result = parse_with(R"(
apps:
  a:
    source: { repo: /srv/git/a.git }
    environments:
      s:
        services:
          w: { build: { context: ../outside }, command: [x] }
  b:
    environments:
      s:
        services:
          w: { build: { context: . } }
)");
  auto all = errors_of(result);
  INFO(all);
  CHECK_THAT(all, Catch::Contains("apps.a.environments.s.services.w.build: \"../outside\" must stay inside the repository"));
  CHECK_THAT(all, Catch::Contains("apps.b.environments.s.services.w.build: needs the app's source"));
}

TEST_CASE("health probes back off to 200ms unless told otherwise", "[config]") {
  const std::string services = R"(
nginx: { upstream_dir: /u }
apps:
  a:
    environments:
      e:
        services:
          fast: { image: r/a, ports: { blue: 1, green: 2 }, health: { http: / } }
          slow: { image: r/a, ports: { blue: 3, green: 4 }, health: { http: /, interval: 1s } }
)";
  auto result = parse_config(services + "          bad: { image: r/a, ports: { blue: 5, green: 6 }, "
                                        "health: { http: /, interval: 1s, max_interval: 500ms } }\n");
  CHECK_THAT(errors_of(result), Catch::Contains("services.bad.health.interval: must be above 0 and at most max_interval"));
  auto ok = parse_config(services);
  REQUIRE(ok.config);
  const auto* env = ok.config->find_app("a")->find_environment("e");
  CHECK(env->find_service("fast")->health.max_interval == 200ms);
  CHECK(env->find_service("slow")->health.first_interval == 1s);
  CHECK(env->find_service("slow")->health.max_interval == 1s);
}

TEST_CASE("a key given twice is an error, not silently the first", "[config]") {
  auto result = parse_config("state_dir: /a\nstate_dir: /b\napps:\n  w:\n    environments:\n      e:\n        drain: 1s\n        drain: 4s\n        services: { s: { image: r/w } }\n");
  auto all = errors_of(result);
  INFO(all);
  CHECK_THAT(all, Catch::Contains("state_dir: appears twice"));
  CHECK_THAT(all, Catch::Contains("apps.w.environments.e.drain: appears twice"));
}

TEST_CASE("docker.min_free_disk_mb defaults to 1 GiB and must be a size", "[config]") {
  auto defaulted = parse_config(R"({"listen": ["127.0.0.1:7070"], "state_dir": "/tmp/x"})");
  REQUIRE(defaulted.config);
  CHECK(defaulted.config->docker.min_free_disk_mb == 1024);
  auto set = parse_config(R"({"listen": ["127.0.0.1:7070"], "state_dir": "/tmp/x", "docker": {"min_free_disk_mb": 0}})");
  REQUIRE(set.config);
  CHECK(set.config->docker.min_free_disk_mb == 0);
  auto bad = parse_config(R"({"listen": ["127.0.0.1:7070"], "state_dir": "/tmp/x", "docker": {"min_free_disk_mb": -1}})");
  CHECK_FALSE(bad.config);
  CHECK_THAT(errors_of(bad), Catch::Contains("docker.min_free_disk_mb"));
}

TEST_CASE("nginx.maintenance_port defaults to 7079 and maintenance_page must be a safe absolute path",
          "[config][maintenance]") {
  auto defaults = parse_config(valid_config());
  REQUIRE(defaults.config);
  CHECK(defaults.config->nginx.maintenance_port == 7079);
  CHECK(defaults.config->nginx.maintenance_page.empty());

  auto with = [](const std::string& keys) {
    auto yaml = valid_config();
    auto at = yaml.find("  reload: { container: nginx-platform }\n");
    return parse_config(yaml.insert(at, keys));
  };
  auto set = with("  maintenance_port: 7180\n  maintenance_page: /srv/www/maintenance.html\n");
  REQUIRE(set.config);
  CHECK(set.config->nginx.maintenance_port == 7180);
  CHECK(set.config->nginx.maintenance_page == "/srv/www/maintenance.html");

  for (const char* bad : {"  maintenance_port: 0\n", "  maintenance_port: 70000\n", "  maintenance_page: page.html\n",
                          "  maintenance_page: \"/srv/a page.html\"\n", "  maintenance_page: \"/srv/x;evil\"\n",
                          "  maintenance_page: \"/srv/$x\"\n"}) {
    CAPTURE(bad);
    auto refused = with(bad);
    CHECK_FALSE(refused.config);
    CHECK_THAT(errors_of(refused), Catch::StartsWith("nginx.maintenance_p"));
  }
}
