// The route keeper and the container view against a FakeDockerEngine: what status answers
// from, and upstreams that follow a container to a new address or take it down.
#include "agent/deploy/route_keeper.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/deploy/naming.hpp"
#include "agent/deploy/routes.hpp"
#include "agent/router/maintenance.hpp"
#include "agent/store/atomic_file.hpp"
#include "tests/support/fake_docker_engine.hpp"
#include "tests/support/test_env.hpp"

using namespace fical;

namespace {

class CountingNginx : public agent::router::NginxControl {
 public:
  int reloads = 0;
  void test() override {}
  void reload() override { ++reloads; }
};

/// A container as fical starts one: its labels, on `network`, running.
void start_container(testing::FakeDockerEngine& docker, const std::string& env, const std::string& color) {
  agent::docker::ContainerSpec spec;
  spec.name = agent::deploy::container_name("web", env, "api", color);
  spec.image = "r/web:v1";
  spec.network = "platform";
  spec.labels = agent::deploy::container_labels("web", env, "api", color, "v1", "d-1");
  docker.start_container(docker.create_container(spec));
}

struct Fixture {
  Fixture() {
    auto parsed = agent::config::parse_config(R"(
nginx: { upstream_dir: /unused }
apps:
  web:
    environments:
      prod: { network: platform, services: { api: { image: r/web, port: 3000, health: { docker: true } } } }
      staging: { network: platform, services: { api: { image: r/web, port: 3000, health: { docker: true } } } }
)");
    REQUIRE(parsed.config);
    config = *parsed.config;
    docker.add_registry_image("r/web:v1");
    docker.pull({"r/web", "v1", std::nullopt, std::chrono::seconds(1)}, {});
    agent::store::EnvState live;
    live.live_color = "blue";
    live.live = proto::Release{"v1", "blue", {}, "", "d-1", "ci", {}, "", {}, {}};
    store.save_env("web", "prod", live);
  }
  std::string upstream() const {
    std::ifstream in(dir.path() / "upstreams" / "web-prod-api.conf");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir dir;
  agent::config::Config config;
  testing::FakeDockerEngine docker;
  CountingNginx nginx;
  agent::store::StateStore store{dir.path() / "state"};
  agent::router::UpstreamRouter router{(std::filesystem::create_directories(dir.path() / "upstreams"),
                                        dir.path() / "upstreams"),
                                       nginx};
  agent::deploy::ContainerView view;
  bool busy = false;
  agent::deploy::RouteKeeper keeper{{config, docker, &router, store, view, [this](auto&, auto&) { return busy; }}};
};

}  // namespace

TEST_CASE("the container view answers status from memory, refreshed by scope", "[deploy]") {
  Fixture f;
  CHECK_FALSE(f.view.docker_answered_within(std::chrono::seconds(10)));
  start_container(f.docker, "prod", "blue");
  start_container(f.docker, "staging", "blue");
  f.view.refresh(f.docker);
  CHECK(f.view.docker_answered_within(std::chrono::seconds(10)));
  REQUIRE(f.view.containers("web", "prod").size() == 1);
  CHECK(f.view.containers("web", "prod")[0].health == "healthy");
  auto calls = f.docker.calls().size();
  f.view.containers("web", "prod");
  CHECK(f.docker.calls().size() == calls);  // reading asks Docker nothing
  f.docker.remove_container("web-staging-api-blue", true);
  f.view.refresh(f.docker, "web", "prod");  // another env's change waits for its own refresh
  CHECK(f.view.containers("web", "staging").size() == 1);
  f.view.refresh(f.docker, "web", "staging");
  CHECK(f.view.containers("web", "staging").empty());
  f.view.docker_failed();
  CHECK_FALSE(f.view.docker_answered_within(std::chrono::seconds(10)));
}

TEST_CASE("the route keeper follows a live container's address and takes a stopped one down", "[deploy]") {
  Fixture f;
  start_container(f.docker, "prod", "blue");
  auto notes = f.keeper.refresh_all();
  CHECK(notes.size() == 1);
  auto ip = f.docker.container("web-prod-api-blue")->network_ips.at("platform");
  CHECK(f.upstream().find("server " + ip + ":3000;") != std::string::npos);
  CHECK(f.nginx.reloads == 1);
  CHECK(f.keeper.refresh_all().empty());  // nothing changed: no write, no reload
  CHECK(f.nginx.reloads == 1);

  f.docker.stop_by_hand("web-prod-api-blue");
  f.keeper.refresh_all();
  CHECK(f.upstream().find("server 127.0.0.1:9 down;") != std::string::npos);
  f.docker.start_container("web-prod-api-blue");  // back, at a new address
  auto moved = f.docker.container("web-prod-api-blue")->network_ips.at("platform");
  REQUIRE(moved != ip);
  f.busy = true;  // a deployment holds the env: it routes it itself
  CHECK(f.keeper.refresh_all().empty());
  f.busy = false;
  f.keeper.refresh_all();
  CHECK(f.upstream().find("server " + moved + ":3000;") != std::string::npos);
  CHECK(f.nginx.reloads == 3);
}

TEST_CASE("the route keeper restores an upstream file deleted or edited by hand", "[deploy]") {
  Fixture f;
  start_container(f.docker, "prod", "blue");
  f.keeper.refresh_all();
  auto written = f.upstream();
  REQUIRE(!written.empty());
  std::filesystem::remove(f.dir.path() / "upstreams" / "web-prod-api.conf");
  f.keeper.refresh_all();
  CHECK(f.upstream() == written);
  std::ofstream(f.dir.path() / "upstreams" / "web-prod-api.conf") << "upstream web-prod-api { server 10.9.9.9:1; }\n";
  f.keeper.refresh_all();
  CHECK(f.upstream() == written);
}

TEST_CASE("in maintenance the route keeper keeps the page and moves @live with the container",
          "[deploy][maintenance]") {
  Fixture f;
  f.router.set_maintenance_options({7079, "", "0123456789abcdefABCDEF"});
  start_container(f.docker, "prod", "blue");
  f.keeper.refresh_all();
  auto ip = f.docker.container("web-prod-api-blue")->network_ips.at("platform");
  f.router.start_maintenance("web", "prod", {"later", std::chrono::seconds(60)},
                             agent::deploy::routed_upstreams(f.docker, "web", *f.config.apps[0].find_environment("prod"),
                                                             "blue", "v1"));
  auto page_upstream = f.upstream();
  auto servers_path = f.dir.path() / "upstreams" / agent::router::maintenance_file_name("web", "prod");
  auto servers = [&] { return agent::store::read_file(servers_path).value_or(""); };
  CHECK_THAT(servers(), Catch::Contains("server " + ip + ":3000;"));
  CHECK(f.keeper.refresh_all().empty());  // what maintenance wrote is what the keeper wants

  f.docker.stop_by_hand("web-prod-api-blue");
  f.docker.start_container("web-prod-api-blue");  // back, at a new address
  auto moved = f.docker.container("web-prod-api-blue")->network_ips.at("platform");
  REQUIRE(moved != ip);
  CHECK(f.keeper.refresh_all().size() == 1);
  CHECK(f.upstream() == page_upstream);  // users still get the page
  CHECK_THAT(servers(), Catch::Contains("server " + moved + ":3000;"));
}
