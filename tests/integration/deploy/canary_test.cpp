// Canary deployments through the real engine, Docker and nginx, under load from many
// cookie clients (a client's color is sticky, so shares only show over many clients):
// a good canary goes 10% -> 50% -> 100% with each step's measured share within 5 points,
// a canary answering 500 for part of its requests is aborted in its first step, and one
// 300 ms slower is aborted on its p95, once it has min_requests and not before.

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/deploy/http_probe.hpp"
#include "agent/router/canary_upstream.hpp"
#include "tests/integration/deploy/engine_harness.hpp"

using namespace fical;
using namespace fical::testing;
using namespace std::chrono_literals;
using proto::DeploymentState;

namespace {

/// GET through nginx as the cookie client `client`; status and body (0: no answer).
std::pair<int, std::string> get_as(std::uint16_t port, const std::string& path, int client) {
  auto answer = agent::deploy::http_probe(
      "127.0.0.1", port, path, 5s,
      {{"Cookie", std::string(agent::router::kCanaryCookie) + "=client-" + std::to_string(client)}});
  auto body = answer.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return {answer.status, body};
}

/// One answer the load saw, at wall time.
struct Sample {
  proto::TimePoint time;
  int status;
  std::string body;
};

/// Two threads cycling through 1000 cookie clients until stopped (or 120 s).
class CookieLoad {
 public:
  CookieLoad(std::uint16_t port, std::string path) : port_(port), path_(std::move(path)) {
    for (int t = 0; t < 2; ++t) {
      threads_.emplace_back([this, t] {
        auto until = std::chrono::steady_clock::now() + 120s;
        for (int i = t; !stop_ && std::chrono::steady_clock::now() < until; i += 2) {
          auto [status, body] = get_as(port_, path_, i % kClients);
          std::lock_guard lock(mutex_);
          samples_.push_back({proto::now_ms(), status, body});
        }
      });
    }
  }
  ~CookieLoad() { stop(); }
  std::vector<Sample> stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard lock(mutex_);
    return samples_;
  }

 private:
  static constexpr int kClients = 1000;
  std::uint16_t port_;
  std::string path_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<Sample> samples_;
  std::vector<std::thread> threads_;
};

/// An engine whose prod env runs canaries of 3 s steps judged from the private nginx's
/// fical_canary access log, which the site's location writes.
struct CanarySite {
  CanarySite() {
    auto log = h.nginx().upstream_dir().parent_path() / "logs" / "canary.json";
    h.config().nginx.access_log = log.string();
    agent::config::CanaryPolicy policy;
    policy.steps = {{10, 3s}, {50, 3s}};
    policy.analysis.min_requests = 20;
    policy.analysis.max_error_ratio = 0.05;
    // Latency is the unit tests' to judge: p95s of 1-10 ms on a busy 2-core CI host are noise.
    policy.analysis.max_p95_ratio = 50.0;
    h.config().apps[0].environments[0].canary = policy;  // prod
    std::ofstream(h.nginx().upstream_dir() / std::string(agent::router::kCommonFileName))
        << agent::router::render_canary_common();
    std::ofstream(h.nginx().location_dir() / (h.app() + "-prod.conf"))
        << "location " << h.path() << " { proxy_pass http://" << h.app()
        << "-prod-web/; access_log " << log.string() << " fical_canary if=$upstream_addr; }\n";
  }
  proto::Deployment deploy(const std::string& version) {
    agent::DeployCommand command{h.app(), "prod", {version, false}, {"test", "127.0.0.1"}, ""};
    auto started = h.manager().deploy(command);
    if (auto* error = std::get_if<proto::ApiError>(&started)) throw std::runtime_error(error->message);
    return h.wait(std::get<proto::Deployment>(started).id);
  }
  std::vector<nlohmann::json> events(const proto::Deployment& d, const std::string& name,
                                     std::vector<proto::TimePoint>* times = nullptr) {
    std::vector<nlohmann::json> out;
    for (const auto& e : d.events) {
      if (e.data.is_object() && e.data.value("event", "") == name) {
        out.push_back(e.data);
        if (times) times->push_back(e.time);
      }
    }
    return out;
  }
  EngineHarness h;
};

std::string events_text(const proto::Deployment& d) {
  std::string text;
  for (const auto& e : d.events) text += "[" + std::string(proto::to_string(e.phase)) + "] " + e.message + "\n";
  return text + "error: " + d.error;
}

}  // namespace

TEST_CASE("a good canary goes 10% then 50% then 100%, each share within 5 points", "[canary]") {
  CanarySite s;
  REQUIRE(s.deploy("v1").state == DeploymentState::succeeded);
  REQUIRE(s.h.settled_on("v1"));
  CookieLoad load(s.h.nginx_port(), s.h.path());
  auto v2 = s.deploy("v2");
  auto samples = load.stop();
  INFO(events_text(v2));
  REQUIRE(v2.state == DeploymentState::succeeded);
  std::vector<proto::TimePoint> starts, ends;
  auto steps = s.events(v2, "canary_step", &starts);
  auto passed = s.events(v2, "canary_step_passed", &ends);
  REQUIRE(steps.size() == 2);
  REQUIRE(passed.size() == 2);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    int weight = steps[i]["weight"];
    // The middle of the step: old nginx workers may answer for a moment after a reload.
    auto from = starts[i] + 500ms, to = ends[i] - 200ms;
    int on_canary = 0, all = 0, failed = 0;
    for (const auto& sample : samples) {
      if (sample.time < from || sample.time >= to) continue;
      ++all;
      if (sample.status != 200) ++failed;
      on_canary += sample.body == "v2";
    }
    CAPTURE(weight, all, on_canary, failed);
    REQUIRE(all >= 100);
    CHECK(std::abs(100.0 * on_canary / all - weight) <= 5.0);
    CHECK(failed == 0);
    CHECK(passed[i]["verdict"]["outcome"] == "pass");
  }
  CHECK(s.h.settled_on("v2"));
  CHECK(v2.analysis["state"] == "promoted");
  CHECK_FALSE(s.h.store().load_canary(s.h.app(), "prod"));
}

TEST_CASE("a canary answering 500 for part of its requests is aborted in its first step", "[canary]") {
  CanarySite s;
  REQUIRE(s.deploy("v1").state == DeploymentState::succeeded);
  REQUIRE(s.h.settled_on("v1"));
  CookieLoad load(s.h.nginx_port(), s.h.path() + "cgi-bin/flaky");
  auto bad = s.deploy("v3-flaky");  // 30% of its answers are 500
  auto samples = load.stop();
  INFO(events_text(bad));
  REQUIRE(bad.state == DeploymentState::rolled_back);
  auto aborted = s.events(bad, "canary_aborted");
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0]["reason"] == "error_ratio");
  CHECK(aborted[0]["step"] == 1);
  CHECK(aborted[0]["weight"] == 10);
  CHECK(aborted[0]["verdict"]["canary"]["errors"].get<int>() >= 1);
  CHECK(aborted[0]["verdict"]["stable"]["errors"] == 0);
  CHECK(bad.analysis["state"] == "aborted");
  CHECK(bad.analysis["verdict"]["canary"]["errors"] == aborted[0]["verdict"]["canary"]["errors"]);
  CHECK(s.events(bad, "canary_step").size() == 1);
  // Only the canary's clients saw errors, and v1 serves everyone again.
  int failed = 0;
  for (const auto& sample : samples) failed += sample.status != 200;
  CAPTURE(failed, samples.size());
  CHECK(failed <= static_cast<int>(samples.size() / 10 + 5));
  CHECK(s.h.settled_on("v1"));
  CHECK(s.h.containers("web-green").empty());
  CHECK_FALSE(s.h.store().load_canary(s.h.app(), "prod"));
}

TEST_CASE("a canary 300 ms slower is aborted on p95, only once it has min_requests", "[canary]") {
  CanarySite s;
  auto& analysis = s.h.config().apps[0].environments[0].canary->analysis;
  analysis.max_p95_ratio = 3.0;  // stable's p95 is a few ms: 300 ms is far past 3x, even on a busy host
  analysis.min_requests = 20;
  REQUIRE(s.deploy("v1").state == DeploymentState::succeeded);
  REQUIRE(s.h.settled_on("v1"));
  CookieLoad load(s.h.nginx_port(), s.h.path() + "cgi-bin/laggy");
  auto slow = s.deploy("v3-laggy");
  auto samples = load.stop();
  INFO(events_text(slow));
  REQUIRE(slow.state == DeploymentState::rolled_back);
  auto aborted = s.events(slow, "canary_aborted");
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0]["reason"] == "p95_ratio");
  CHECK(aborted[0]["step"] == 1);
  const auto& canary = aborted[0]["verdict"]["canary"];
  CAPTURE(aborted[0]["verdict"].dump());
  // Judged only once it had min_requests: none of the windows before said more than
  // not enough data, and the aborting one had them.
  CHECK(canary["requests"].get<int>() >= 20);
  CHECK(canary["p95_ms"].get<double>() >= 250.0);
  for (const auto& window : s.events(slow, "canary_window")) {
    if (window["verdict"]["canary"]["requests"].get<int>() < 20) CHECK(window["verdict"]["outcome"] == "not_enough_data");
  }
  int failed = 0;
  for (const auto& sample : samples) failed += sample.status != 200;
  CHECK(failed == 0);  // slow is not failed
  CHECK(s.h.settled_on("v1"));
  CHECK_FALSE(s.h.store().load_canary(s.h.app(), "prod"));
}
