// UpstreamRouter against a real nginx: switching upstreams changes what nginx serves,
// and a configuration nginx rejects restores the previous files and keeps serving.
#include "agent/router/upstream_router.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/router/nginx_control.hpp"
#include "agent/router/process_runner.hpp"
#include "tests/support/processes.hpp"

using namespace fical::agent;
using namespace fical::testing;
using router::UpstreamTarget;

namespace {

struct Backend {
  TempDir dir;
  std::uint16_t port = free_port();
  std::unique_ptr<ChildProcess> process;
  explicit Backend(const std::string& body) {
    std::ofstream(dir.path() / "index.html") << body;
    process = std::make_unique<ChildProcess>(busybox_httpd(port, dir.path()));
    eventually([&] { return http_get(port, "/").status == 200; });
  }
  UpstreamTarget target() const {
    return {"rt", "test", "web", "blue", "v", {"127.0.0.1:" + std::to_string(port)}, {}};
  }
};

config::NginxOptions options_for(const PrivateNginx& nginx) {
  config::NginxOptions options;
  options.upstream_dir = nginx.upstream_dir();
  options.reload.kind = config::NginxReload::Kind::pidfile;
  options.reload.pidfile = nginx.pidfile();
  options.test_command = nginx.test_command();
  return options;
}

// After a reload, old nginx workers may still take a connection for a moment: wait
// until ten requests in a row get the expected body.
bool serves(const PrivateNginx& nginx, const std::string& body) {
  return eventually([&] {
    for (int i = 0; i < 10; ++i) {
      if (http_get(nginx.port(), "/rt/").body != body) return false;
    }
    return true;
  });
}

/// A private nginx whose /rt/ location proxies to the upstream the router owns.
struct RoutedNginx {
  PrivateNginx nginx;
  router::SpawnProcessRunner runner;
  router::LocalNginx control{options_for(nginx), runner};
  router::UpstreamRouter upstreams{nginx.upstream_dir(), control};

  /// Points the upstream at `first`, then adds the location (it needs the upstream).
  explicit RoutedNginx(const UpstreamTarget& first) {
    upstreams.apply({first});
    std::ofstream(nginx.location_dir() / "rt.conf") << "location /rt/ { proxy_pass http://rt-test-web/; }\n";
    upstreams.apply({first});
  }
};

}  // namespace

TEST_CASE("switching upstreams changes what nginx serves", "[router]") {
  Backend a("A"), b("B");
  RoutedNginx site(a.target());
  auto& nginx = site.nginx;
  auto& upstreams = site.upstreams;
  CHECK(serves(nginx, "A"));

  auto green = b.target();
  green.color = "green";
  upstreams.apply({green});
  CHECK(serves(nginx, "B"));
  CHECK_THAT(*upstreams.current(green), Catch::Contains("color=green"));
}

TEST_CASE("a configuration nginx rejects restores the previous upstream", "[router]") {
  Backend a("A"), b("B");
  RoutedNginx site(a.target());
  auto& nginx = site.nginx;
  auto& upstreams = site.upstreams;
  REQUIRE(serves(nginx, "A"));
  auto before = upstreams.current(a.target());

  std::ofstream(nginx.location_dir() / "broken.conf") << "location /x { no_such_directive on; }\n";
  CHECK_THROWS_WITH(upstreams.apply({b.target()}),
                    Catch::Contains("nginx rejected the configuration, previous upstreams restored") &&
                        Catch::Contains("no_such_directive"));
  CHECK(upstreams.current(a.target()) == before);
  CHECK(http_get(nginx.port(), "/rt/").body == "A");
  CHECK_THROWS_AS(upstreams.test_current(), router::RouterError);
}

TEST_CASE("a new upstream file that nginx rejects is removed again", "[router]") {
  PrivateNginx nginx;
  router::SpawnProcessRunner runner;
  router::LocalNginx control(options_for(nginx), runner);
  router::UpstreamRouter upstreams(nginx.upstream_dir(), control);
  UpstreamTarget bad{"rt", "test", "web", "blue", "v", {"127.0.0.1:notaport"}, {}};
  CHECK_THROWS_AS(upstreams.apply({bad}), router::RouterError);
  CHECK_FALSE(upstreams.current(bad));
}

TEST_CASE("reloading without a running nginx is a clear error", "[router]") {
  TempDir tmp;
  config::NginxOptions options;
  options.reload.pidfile = (tmp.path() / "nginx.pid").string();
  router::SpawnProcessRunner runner;
  router::LocalNginx control(options, runner);
  CHECK_THROWS_WITH(control.reload(), Catch::Contains("no pidfile at") && Catch::Contains("is nginx running?"));
}

TEST_CASE("not_running() tells whether the pidfile's nginx master is alive", "[router]") {
  router::SpawnProcessRunner runner;
  {
    PrivateNginx nginx;
    router::LocalNginx control(options_for(nginx), runner);
    CHECK_FALSE(control.not_running());
  }
  TempDir tmp;
  config::NginxOptions options;
  options.reload.kind = config::NginxReload::Kind::pidfile;
  options.reload.pidfile = (tmp.path() / "nginx.pid").string();
  router::LocalNginx control(options, runner);
  CHECK(control.not_running());  // no pidfile
  // A pidfile left by a killed nginx: its pid is no process now (a child reaped here).
  ChildProcess gone({"true"});
  auto pid = gone.pid();
  gone.stop(0, std::chrono::seconds(5));
  std::ofstream(options.reload.pidfile) << pid << "\n";
  CHECK(control.not_running());
  // A reload command: the agent cannot tell, so it does not refuse.
  options.reload.kind = config::NginxReload::Kind::command;
  options.reload.command = {"true"};
  CHECK_FALSE(router::LocalNginx(options, runner).not_running());
}
