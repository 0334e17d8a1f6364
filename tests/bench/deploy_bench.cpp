// Benchmark (not a test) of issue 5: fical deploy and rollback against the old flow,
// `docker-compose -p X up -d` with the new tag, in one run with the same app, images,
// boot time and load through the same nginx. Run by scripts/bench/deploy.sh.
#include <CLI/CLI.hpp>
#include <iostream>
#include <stdexcept>

#include "tests/bench/bench_agent.hpp"
#include "tests/bench/bench_report.hpp"
#include "tests/bench/compose_flow.hpp"
#include "tests/bench/docker_start_cost.hpp"
#include "tests/bench/limit_flow.hpp"
#include "tests/bench/measure.hpp"
#include "tests/support/test_env.hpp"

using namespace fical;
using namespace fical::bench;
using std::chrono::milliseconds;

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// An unmeasured step that must succeed (warm-up deploys, the compose project's first up).
void must(const CommandResult& ran, const std::string& what, const BenchAgent* agent = nullptr) {
  if (ran.exit_code == 0) return;
  throw std::runtime_error(what + " failed (exit " + std::to_string(ran.exit_code) + "):\n" + ran.out + ran.err +
                           (agent ? "fical-agent's log:\n" + agent->log_text() : ""));
}

Row fical_row(const std::string& name, const testing::PrivateNginx& nginx, BenchAgent& agent,
              const std::string& env, const std::string& version, Target target, milliseconds boot,
              const std::function<CommandResult()>& action) {
  Row row{measure(name, nginx, agent.path(env), version, action), target, boot};
  row.m.record = BenchAgent::record(row.m.command);
  if (!row.m.record) std::cerr << name << ": the client printed no record:\n" << row.m.command.out << row.m.command.err;
  return row;
}

// The user's-host target: on a Docker network fical fails no request, its longest gap is
// under 50 ms, and its overhead over boot is within 10% of host mode's (the two deploys of
// each, averaged), net of what Docker's own create+start costs more on the network.
bool print_network_comparison(std::ostream& out, const std::vector<Row>& rows, milliseconds docker_host,
                              milliseconds docker_network) {
  auto mean_overhead = [&](bool named) {
    long long sum = 0, n = 0;
    for (const auto& r : rows) {
      bool is_named = r.m.name.find("(named network)") != std::string::npos;
      if (r.target != Target::deploy || is_named != named || !r.m.to_live ||
          r.m.name.find("keep_warm") != std::string::npos) {
        continue;
      }
      sum += (*r.m.to_live - r.boot).count();
      ++n;
    }
    return n ? sum / n : -1;
  };
  bool ok = true;
  for (const auto& r : rows) {
    if (r.m.name.find("(named network)") == std::string::npos) continue;
    ok = ok && r.m.load.failed == 0 && r.m.load.longest_gap < milliseconds(50);
  }
  auto host = mean_overhead(false), named = mean_overhead(true);
  auto docker_extra = (docker_network - docker_host).count();
  auto named_net = named - docker_extra;
  ok = ok && host > 0 && named >= 0 && named_net <= host * 11 / 10;
  out << "\nDocker's own remove+create+start (median of 5): host networking " << docker_host.count() << " ms, named network "
      << docker_network.count() << " ms (+" << docker_extra << " ms, the same for any tool)\n"
      << "named network vs host networking: mean overhead over boot " << named << " ms vs " << host << " ms; net of "
      << "Docker's extra " << named_net << " ms ("
      << (host > 0 ? std::to_string(named_net * 100 / host) : std::string("?")) << "% of host mode's; target <= 110%); "
      << "0 failed and longest gap < 50 ms: " << (ok ? "met" : "MISSED") << "\n";
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  AgentSetup setup;
  CLI::App app{"fical deploy benchmark: fical versus docker-compose up -d under the same load"};
  app.add_option("--agent", setup.agent_binary, "fical-agent binary")->required();
  app.add_option("--client", setup.client_binary, "fical-client binary")->required();
  app.add_option("--boot-seconds", setup.boot_seconds, "The test app's BOOT_DELAY")->capture_default_str();
  app.add_option("--health", setup.health_yaml, "Extra health-check keys for fical, e.g. 'max_interval: 100ms'");
  app.add_option("--network", setup.network,
                 "A Docker network: adds the named-network case (containers reached at their addresses)");
  int limit_rounds = 0;
  app.add_option("--limit-rounds", limit_rounds,
                 "Extra pairs of a fical deploy (prod) and the limit's switch, alternating versions")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    const auto& env = testing::TestEnv::get();
    const milliseconds boot(setup.boot_seconds * 1000);
    setup.docker_socket = env.docker_socket;
    setup.image = env.test_image;
    testing::PrivateNginx nginx;
    BenchAgent agent(setup, nginx);
    ComposeFlow compose(env.docker_socket, env.test_image, setup.boot_seconds, nginx);
    LimitFlow limit(env.docker_socket, env.test_image, setup.boot_seconds, nginx);

    std::cerr << "bench: warm-up (pulls v1 and v2 once, so that no flow downloads in the measured runs)\n";
    must(agent.deploy("prod", "v1"), "fical deploy v1 (prod)", &agent);
    must(agent.deploy("warm", "v1"), "fical deploy v1 (warm)", &agent);
    if (!setup.network.empty()) must(agent.deploy("net", "v1"), "fical deploy v1 (net)", &agent);
    must(compose.up("v2"), "docker-compose up v2");
    must(compose.up("v1"), "docker-compose up v1");
    require(reload_and_settle(nginx, compose.path(), "v1"), "the compose project does not serve v1");
    must(limit.switch_to("v1"), "the limit's switch to v1");
    require(settled_on(nginx, limit.path(), "v1"), "the limit does not serve v1");

    std::vector<Row> rows;
    std::vector<LimitPair> pairs;
    // The limit right after fical's deploy of the same versions: the same moment of the box.
    auto against_limit = [&](const std::string& from, const std::string& to) {
      std::cerr << "bench: limit " << from << "->" << to << "\n";
      require(settled_on(nginx, limit.path(), from), "the limit does not serve " + from);
      rows.push_back({measure("limit " + from + "->" + to, nginx, limit.path(), to, [&] { return limit.switch_to(to); }),
                      Target::limit, boot});
      pairs.push_back({rows.size() - 2, rows.size() - 1, limit.steps()});
    };
    auto fical = [&](const std::string& name, const std::string& env_name, const std::string& version, Target target,
                     milliseconds app_boot, const std::function<CommandResult()>& action) {
      std::cerr << "bench: " << name << "\n";
      rows.push_back(fical_row(name, nginx, agent, env_name, version, target, app_boot, action));
    };
    auto baseline = [&](const std::string& name, const std::string& from, const std::string& to) {
      std::cerr << "bench: " << name << "\n";
      require(settled_on(nginx, compose.path(), from), "compose does not serve " + from);
      rows.push_back({measure(name, nginx, compose.path(), to, [&] { return compose.up(to); }), Target::none, boot});
    };

    require(settled_on(nginx, agent.path("prod"), "v1"), "prod does not serve v1");
    fical("fical deploy v1->v2", "prod", "v2", Target::deploy, boot, [&] { return agent.deploy("prod", "v2"); });
    against_limit("v1", "v2");
    baseline("compose up -d v1->v2", "v1", "v2");
    require(settled_on(nginx, agent.path("prod"), "v2"), "prod does not serve v2");
    fical("fical deploy v2->v1", "prod", "v1", Target::deploy, boot, [&] { return agent.deploy("prod", "v1"); });
    against_limit("v2", "v1");
    baseline("compose up -d v2->v1", "v2", "v1");
    require(settled_on(nginx, agent.path("prod"), "v1"), "prod does not serve v1");
    fical("fical rollback to retained v2", "prod", "v2", Target::rollback, boot, [&] { return agent.rollback("prod"); });
    require(settled_on(nginx, agent.path("warm"), "v1"), "warm does not serve v1");
    fical("fical deploy v1->v2 (keep_warm env)", "warm", "v2", Target::deploy, boot,
          [&] { return agent.deploy("warm", "v2"); });
    require(settled_on(nginx, agent.path("warm"), "v2"), "warm does not serve v2");
    fical("fical rollback inside keep_warm", "warm", "v1", Target::warm_rollback, milliseconds(0),
          [&] { return agent.rollback("warm"); });

    // More pairs against the limit (the box's noise is tens of ms): prod serves v2 now.
    for (int round = 0; round < limit_rounds; ++round) {
      const std::string to = round % 2 == 0 ? "v1" : "v2", from = to == "v1" ? "v2" : "v1";
      require(settled_on(nginx, agent.path("prod"), from), "prod does not serve " + from);
      fical("fical deploy " + from + "->" + to + " #" + std::to_string(round + 2), "prod", to, Target::deploy, boot,
            [&] { return agent.deploy("prod", to); });
      // The limit serves v1 after its second switch: it goes the other way.
      auto limit_from = round % 2 == 0 ? "v1" : "v2", limit_to = round % 2 == 0 ? "v2" : "v1";
      against_limit(limit_from, limit_to);
    }

    if (!setup.network.empty()) {
      require(settled_on(nginx, agent.path("net"), "v1"), "net does not serve v1");
      fical("fical deploy v1->v2 (named network)", "net", "v2", Target::deploy, boot,
            [&] { return agent.deploy("net", "v2"); });
      require(settled_on(nginx, agent.path("net"), "v2"), "net does not serve v2");
      fical("fical deploy v2->v1 (named network)", "net", "v1", Target::deploy, boot,
            [&] { return agent.deploy("net", "v1"); });
    }

    std::cout << "fical deploy benchmark: test app booting in " << setup.boot_seconds
              << " s (BOOT_DELAY), images local after a warm-up, load = 2 keep-alive connections through one nginx\n"
              << "fical route: real fical-agent process + fical-client deploy/rollback --json (what users run)\n"
              << "fical health check: { http: /health" << (setup.health_yaml.empty() ? "" : ", " + setup.health_yaml)
              << " } (engine defaults otherwise); drain 1s, stop_timeout 1s; compose stop_grace_period 1s\n"
              << "to live = command start until nginx first serves the new version; overhead = to live - boot;\n"
              << "command = the command's own wall time (fical-client returns after drain and retire)\n\n";
    print_table(std::cout, rows);
    print_phases(std::cout, rows);
    bool all_ok = true;
    for (const auto& r : rows) all_ok = all_ok && (verdict(r) == "ok" || verdict(r) == "baseline" || verdict(r) == "limit");
    all_ok = print_limit_comparison(std::cout, rows, pairs) && all_ok;
    if (!setup.network.empty()) {
      auto docker_host = docker_start_cost(env.docker_socket, env.test_image + ":v1", "host");
      auto docker_network = docker_start_cost(env.docker_socket, env.test_image + ":v1", setup.network);
      all_ok = print_network_comparison(std::cout, rows, docker_host, docker_network) && all_ok;
    }
    std::cout << "\n" << (all_ok ? "fical met every target" : "fical MISSED at least one target (see above)") << "\n";
    return all_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench: " << e.what() << "\n";
    return 2;
  }
}
