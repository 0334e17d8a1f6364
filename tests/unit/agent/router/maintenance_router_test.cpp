// UpstreamRouter in maintenance mode over a temp upstream dir and a scripted nginx: which
// files every write produces, and what a refused nginx -t leaves.
#include <catch2/catch.hpp>
#include <fstream>

#include "agent/router/maintenance.hpp"
#include "agent/router/upstream_router.hpp"
#include "agent/store/atomic_file.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::router;
namespace fs = std::filesystem;

namespace {

class ScriptedNginx : public NginxControl {
 public:
  bool refuse = false;
  int tests = 0, reloads = 0;
  void test() override {
    ++tests;
    if (refuse) throw RouterError("nginx: [emerg] refused by the test");
  }
  void reload() override { ++reloads; }
};

UpstreamTarget target(const std::string& env, const std::string& service, const std::string& server) {
  return {"acc", env, service, "blue", "v1", {server}, {}};
}

struct Fixture {
  fical::testing::TempDir dir;
  ScriptedNginx nginx;
  UpstreamRouter router{dir.path(), nginx};
  std::vector<UpstreamTarget> prod{target("prod", "web", "127.0.0.1:3001"), target("prod", "api", "127.0.0.1:3002")};
  std::vector<UpstreamTarget> staging{target("staging", "web", "127.0.0.1:4001")};

  Fixture() {
    router.set_maintenance_options({7079, "", "0123456789abcdefABCDEF"});
    router.apply(prod);
    router.apply(staging);
  }
  std::string file(const std::string& name) const { return fical::agent::store::read_file(dir.path() / name).value_or(""); }
  bool exists(const std::string& name) const { return fs::exists(dir.path() / name); }
};

}  // namespace

TEST_CASE("maintenance on writes the env's upstreams and servers and off puts the plain files back",
          "[router][maintenance]") {
  Fixture f;
  auto staging_before = f.file("acc-staging-web.conf");
  int reloads = f.nginx.reloads;
  f.router.start_maintenance("acc", "prod", {"Back soon", std::chrono::seconds(120)}, f.prod);
  CHECK(f.nginx.reloads == reloads + 1);
  CHECK(f.router.in_maintenance("acc", "prod"));
  CHECK_FALSE(f.router.in_maintenance("acc", "staging"));
  auto servers = f.file(maintenance_file_name("acc", "prod"));
  CHECK_THAT(servers, Catch::Contains("upstream acc-prod-web--live {\n    server 127.0.0.1:3001;"));
  CHECK_THAT(servers, Catch::Contains("upstream acc-prod-api--live {\n    server 127.0.0.1:3002;"));
  CHECK_THAT(servers, Catch::Contains("Retry-After 120 always"));
  CHECK_THAT(servers, Catch::Contains("Back soon"));
  // Each upstream points at its own loopback server, the one the servers file listens on.
  auto web = f.file("acc-prod-web.conf"), api = f.file("acc-prod-api.conf");
  auto address = [](const std::string& upstream) {
    auto at = upstream.find("server 127.") + 7;
    return upstream.substr(at, upstream.find(';', at) - at);
  };
  CHECK(address(web) != address(api));
  CHECK_THAT(servers, Catch::Contains("listen " + address(web) + ";"));
  CHECK_THAT(servers, Catch::Contains("listen " + address(api) + ";"));
  CHECK(f.file("acc-staging-web.conf") == staging_before);  // another env: untouched

  // A later write for the env (the route keeper, a deploy's switch) keeps maintenance and
  // moves `@live` to the new servers, at the same addresses.
  auto moved = f.prod;
  moved[0].servers = {"127.0.0.1:3101"};
  CHECK(f.router.differs(moved));
  f.router.apply(moved);
  CHECK(f.file("acc-prod-web.conf") == web);
  CHECK_THAT(f.file(maintenance_file_name("acc", "prod")), Catch::Contains("server 127.0.0.1:3101;"));
  CHECK_FALSE(f.router.differs(moved));

  f.router.end_maintenance("acc", "prod", moved);
  CHECK_FALSE(f.router.in_maintenance("acc", "prod"));
  CHECK_FALSE(f.exists(maintenance_file_name("acc", "prod")));
  CHECK(f.file("acc-prod-web.conf") == render_upstream(moved[0]));
  CHECK(f.file("acc-prod-api.conf") == render_upstream(moved[1]));
}

TEST_CASE("a refused nginx -t leaves the files and the mode as they were", "[router][maintenance]") {
  Fixture f;
  auto web = f.file("acc-prod-web.conf");
  f.nginx.refuse = true;
  CHECK_THROWS_AS(f.router.start_maintenance("acc", "prod", {"x", std::chrono::seconds(60)}, f.prod), RouterError);
  CHECK_FALSE(f.router.in_maintenance("acc", "prod"));
  CHECK(f.file("acc-prod-web.conf") == web);
  CHECK_FALSE(f.exists(maintenance_file_name("acc", "prod")));

  f.nginx.refuse = false;
  f.router.start_maintenance("acc", "prod", {"x", std::chrono::seconds(60)}, f.prod);
  auto servers = f.file(maintenance_file_name("acc", "prod"));
  auto upstream = f.file("acc-prod-web.conf");
  f.nginx.refuse = true;
  CHECK_THROWS_AS(f.router.end_maintenance("acc", "prod", f.prod), RouterError);
  CHECK(f.router.in_maintenance("acc", "prod"));
  CHECK(f.file(maintenance_file_name("acc", "prod")) == servers);
  CHECK(f.file("acc-prod-web.conf") == upstream);
}

TEST_CASE("maintenance restored at start is written by the next write and a stale file goes",
          "[router][maintenance]") {
  Fixture f;
  f.router.restore_maintenance("acc", "prod", {"restored", std::chrono::seconds(30)});
  CHECK(f.nginx.reloads == 2);  // nothing written yet
  CHECK(f.router.differs(f.prod));
  f.router.apply(f.prod);
  CHECK_THAT(f.file(maintenance_file_name("acc", "prod")), Catch::Contains("restored"));

  // A maintenance file of an env not in maintenance (a crash before it was removed).
  std::ofstream(f.dir.path() / maintenance_file_name("acc", "staging")) << "server { listen 127.64.0.1:7079; }\n";
  CHECK(f.router.differs(f.staging));
  f.router.apply(f.staging);
  CHECK_FALSE(f.exists(maintenance_file_name("acc", "staging")));
}

TEST_CASE("maintenance without a usable secret is refused before any file changes", "[router][maintenance]") {
  Fixture f;
  f.router.set_maintenance_options({7079, "", "short"});
  auto web = f.file("acc-prod-web.conf");
  CHECK_THROWS_AS(f.router.start_maintenance("acc", "prod", {"x", std::chrono::seconds(60)}, f.prod), RouterError);
  CHECK_FALSE(f.router.in_maintenance("acc", "prod"));
  CHECK(f.file("acc-prod-web.conf") == web);
}
