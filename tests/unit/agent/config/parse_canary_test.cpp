#include "agent/config/parse_canary.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace fical::agent::config;
using namespace std::chrono_literals;

namespace {

std::string errors_of(const ParseResult& result) {
  std::string all;
  for (const auto& e : result.errors) all += e.to_string() + "\n";
  return all;
}

// agent.yaml with one app "web" whose env "prod" has `env_keys` (indented by 8) and
// nginx with `nginx_keys` (indented by 2).
std::string yaml(const std::string& env_keys,
                 const std::string& nginx_keys = "  access_log: /var/log/nginx/fical.json\n") {
  return "nginx:\n  upstream_dir: /opt/platform/nginx/upstreams\n" + nginx_keys +
         "apps:\n  web:\n    environments:\n      prod:\n" + env_keys +
         "        services:\n          site: { image: r/web, port: 80, ports: { blue: 18001, "
         "green: 18002 }, health: { http: / } }\n";
}

const Environment& prod(const ParseResult& result) {
  return result.config->apps.at(0).environments.at(0);
}

}  // namespace

TEST_CASE("canary: an env is blue-green unless its strategy says canary", "[config][canary]") {
  auto plain = parse_config(yaml(""));
  INFO(errors_of(plain));
  REQUIRE(plain.config);
  CHECK_FALSE(prod(plain).canary);
  CHECK(plain.config->nginx.access_log == "/var/log/nginx/fical.json");

  auto defaults = parse_config(yaml("        strategy: canary\n"));
  INFO(errors_of(defaults));
  REQUIRE(defaults.config);
  REQUIRE(prod(defaults).canary);
  CHECK(prod(defaults).canary->steps == std::vector<CanaryStep>{{10, 5min}, {50, 5min}});
  CHECK(prod(defaults).canary->analysis.min_requests == 50);
}

TEST_CASE("canary: steps and analysis are read as written", "[config][canary]") {
  auto result = parse_config(
      yaml("        strategy: canary\n"
           "        steps: [{weight: 5, for: 2m}, {weight: 25, for: 10m}, {weight: 75, for: 30s}]\n"
           "        analysis: { max_error_ratio: 0.02, max_p95_ratio: 1.5, min_requests: 200 }\n"));
  INFO(errors_of(result));
  REQUIRE(result.config);
  const auto& canary = *prod(result).canary;
  CHECK(canary.steps == std::vector<CanaryStep>{{5, 2min}, {25, 10min}, {75, 30s}});
  CHECK(canary.analysis.max_error_ratio == Approx(0.02));
  CHECK(canary.analysis.max_p95_ratio == Approx(1.5));
  CHECK(canary.analysis.min_requests == 200);
}

TEST_CASE("canary: bad values are errors at their key path", "[config][canary]") {
  auto result =
      parse_config(yaml("        strategy: canary\n"
                        "        steps: [{weight: 50, for: 5m}, {weight: 10, for: 5m}]\n"
                        "        analysis: { max_error_ratio: 2, max_p95_ratio: fast, "
                        "min_requests: 0, window: 1m }\n"));
  CHECK_FALSE(result.config);
  auto all = errors_of(result);
  CHECK(all.find("apps.web.environments.prod.steps: step 2: weight 10 must be above") !=
        std::string::npos);
  CHECK(all.find("apps.web.environments.prod.analysis.max_error_ratio: must be 0-1") !=
        std::string::npos);
  CHECK(all.find("apps.web.environments.prod.analysis.max_p95_ratio: must be a number") !=
        std::string::npos);
  CHECK(all.find("apps.web.environments.prod.analysis.min_requests:") != std::string::npos);
  CHECK(all.find("apps.web.environments.prod.analysis.window:") != std::string::npos);

  auto steps = parse_config(
      yaml("        strategy: canary\n        steps: [{weight: 100, for: 5m}, {for: 1s}, 7]\n"));
  CHECK_FALSE(steps.config);
  all = errors_of(steps);
  CHECK(all.find("apps.web.environments.prod.steps[0].weight:") != std::string::npos);
  CHECK(all.find("apps.web.environments.prod.steps[1].weight: is required") != std::string::npos);
  CHECK(all.find("apps.web.environments.prod.steps[2]:") != std::string::npos);
}

TEST_CASE("canary: strategy values, stray keys and a missing access log are errors",
          "[config][canary]") {
  auto unknown = parse_config(yaml("        strategy: rolling\n"));
  CHECK(errors_of(unknown).find("apps.web.environments.prod.strategy: \"rolling\" is not") !=
        std::string::npos);

  auto stray = parse_config(yaml("        steps: [{weight: 10, for: 5m}]\n"));
  CHECK(errors_of(stray).find(
            "apps.web.environments.prod.steps: has no effect without strategy: canary") !=
        std::string::npos);

  auto no_log = parse_config(yaml("        strategy: canary\n", ""));
  CHECK_FALSE(no_log.config);
  CHECK(errors_of(no_log).find(
            "apps.web.environments.prod.strategy: canary needs nginx.access_log") !=
        std::string::npos);

  auto relative = parse_config(yaml("", "  access_log: fical.json\n"));
  CHECK(errors_of(relative).find("nginx.access_log:") != std::string::npos);
}

TEST_CASE("canary: the --steps flag grammar", "[config][canary]") {
  std::string why;
  auto steps = parse_steps_flag("10:5m,50:90s", why);
  REQUIRE(steps);
  CHECK(*steps == std::vector<CanaryStep>{{10, 5min}, {50, 90s}});
  for (const char* bad :
       {"", "10", "10:", ":5m", "10:5m,", "10:5m;50:5m", " 10:5m", "x:5m", "10:5 m"}) {
    INFO(bad);
    why.clear();
    CHECK_FALSE(parse_steps_flag(bad, why));
    CHECK(why.find("is not weight:duration") != std::string::npos);
  }
  CHECK_FALSE(parse_steps_flag("10:5m,10:5m", why));
  CHECK(why.find("step 2: weight 10 must be above the previous step's 10") != std::string::npos);
  CHECK_FALSE(parse_steps_flag("0:5m", why));
  CHECK(why.find("weight 0 is not 1-99") != std::string::npos);
  CHECK_FALSE(parse_steps_flag("10:1s", why));
  CHECK(why.find("1s is not 2s-24h") != std::string::npos);
  CHECK_FALSE(parse_steps_flag("1:1m,2:1m,3:1m,4:1m,5:1m,6:1m,7:1m,8:1m,9:1m,10:1m,11:1m", why));
  CHECK(why.find("at most 10") != std::string::npos);
}
