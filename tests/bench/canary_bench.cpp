// Benchmark (not a test) of issue 15's canary abort: a canary answering 500 for 30% of
// its requests, at 10% weight, under 50 req/s from 1000 cookie clients through a private
// nginx. Reports the time from the first bad answer the clients saw to the abort (the
// canary_aborted event) and the requests that failed meanwhile, over several rounds.
// Needs the test environment (FICAL_TEST_ENV); run by scripts/bench/canary-abort.sh.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/deploy/http_probe.hpp"
#include "agent/router/canary_upstream.hpp"
#include "tests/integration/deploy/engine_harness.hpp"

using namespace fical;
using namespace fical::testing;
using namespace std::chrono_literals;

namespace {

/// The status of a GET through nginx as the cookie client `client` (0: no answer).
int get_status(std::uint16_t port, const std::string& path, int client) {
  return agent::deploy::http_probe(
             "127.0.0.1", port, path, 5s,
             {{"Cookie", std::string(agent::router::kCanaryCookie) + "=client-" + std::to_string(client)}})
      .status;
}

struct Round {
  double to_abort_ms = -1;     // first 500 seen -> canary_aborted
  int failed_meanwhile = 0;    // non-200 answers in that time
  int failed_total = 0;        // non-200 answers over the whole deployment
  int requests = 0;
  std::string reason;
  // The baseline, from the same samples: when the clients had seen the decisive 500, the
  // first at which no later answers could keep the canary under max_error_ratio at
  // min_requests (what the analysis cannot decide before), and the abort after it.
  double to_decisive_ms = 0;
  double reaction_ms = 0;
};

// The decisive error's number: the first count of 500s above max_error_ratio of min_requests.
int decisive_errors(const agent::config::CanaryAnalysis& a) {
  return static_cast<int>(a.max_error_ratio * static_cast<double>(a.min_requests)) + 1;
}

Round run_round(int round) {
  EngineHarness h;
  auto log = h.nginx().upstream_dir().parent_path() / "logs" / "canary.json";
  h.config().nginx.access_log = log.string();
  agent::config::CanaryPolicy policy;  // the defaults (min_requests 50, max_error_ratio 0.05)
  policy.steps = {{10, 120s}};
  h.config().apps[0].environments[0].canary = policy;
  std::ofstream(h.nginx().upstream_dir() / std::string(agent::router::kCommonFileName))
      << agent::router::render_canary_common();
  std::ofstream(h.nginx().location_dir() / (h.app() + "-prod.conf"))
      << "location " << h.path() << " { proxy_pass http://" << h.app() << "-prod-web/; access_log "
      << log.string() << " fical_canary if=$upstream_addr; }\n";
  auto deploy = [&](const std::string& version) {
    agent::DeployCommand command{h.app(), "prod", {version, false}, {"bench", "127.0.0.1"}, ""};
    auto started = h.manager().deploy(command);
    if (auto* error = std::get_if<proto::ApiError>(&started)) throw std::runtime_error(error->message);
    return h.wait(std::get<proto::Deployment>(started).id);
  };
  if (deploy("v1").state != proto::DeploymentState::succeeded || !h.settled_on("v1")) {
    throw std::runtime_error("v1 did not go live");
  }
  std::mutex mutex;
  std::vector<std::pair<proto::TimePoint, int>> samples;
  std::atomic<bool> stop{false};
  std::thread load([&] {  // 50 req/s, paced
    auto next = std::chrono::steady_clock::now();
    auto until = next + 150s;
    for (int i = round * 7919; !stop && next < until; ++i) {
      std::this_thread::sleep_until(next);
      next += 20ms;
      int status = get_status(h.nginx_port(), h.path() + "cgi-bin/flaky", i % 1000);
      std::lock_guard lock(mutex);
      samples.push_back({proto::now_ms(), status});
    }
  });
  auto bad = deploy("v3-flaky");
  stop = true;
  load.join();
  Round r;
  proto::TimePoint aborted{};
  for (const auto& e : bad.events) {
    if (e.data.is_object() && e.data.value("event", "") == "canary_aborted") {
      aborted = e.time;
      r.reason = e.data.value("reason", "");
    }
  }
  std::optional<proto::TimePoint> first_bad, decisive;
  for (const auto& [time, status] : samples) {
    ++r.requests;
    if (status == 200) continue;
    ++r.failed_total;
    if (!first_bad) first_bad = time;
    if (!decisive && r.failed_total == decisive_errors(policy.analysis)) decisive = time;
    if (time <= aborted) ++r.failed_meanwhile;
  }
  if (first_bad && aborted.time_since_epoch().count() > 0) r.to_abort_ms = static_cast<double>((aborted - *first_bad).count());
  if (first_bad && decisive) {
    r.to_decisive_ms = static_cast<double>((*decisive - *first_bad).count());
    r.reaction_ms = static_cast<double>((aborted - *decisive).count());
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::vector<Round> results;
  for (int i = 0; i < rounds; ++i) {
    try {
      results.push_back(run_round(i));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "canary-bench: round %d: %s\n", i + 1, e.what());
      return 2;
    }
    const auto& r = results.back();
    std::printf("round %d: abort %s after the first 500 in %.0f ms (the decisive 500 came at %.0f ms, the abort %.0f ms "
                "after it); %d failed meanwhile, %d failed of %d requests\n",
                i + 1, r.reason.c_str(), r.to_abort_ms, r.to_decisive_ms, r.reaction_ms, r.failed_meanwhile,
                r.failed_total, r.requests);
  }
  std::vector<double> times, reactions;
  int worst = 0;
  for (const auto& r : results) {
    times.push_back(r.to_abort_ms);
    reactions.push_back(r.reaction_ms);
    worst = std::max(worst, r.failed_meanwhile);
  }
  std::sort(times.begin(), times.end());
  std::sort(reactions.begin(), reactions.end());
  std::printf("from the decisive 500 to the abort (the baseline: what no analysis can decide before): median %.0f ms, "
              "worst %.0f ms\n",
              reactions[reactions.size() / 2], reactions.back());
  std::printf("canary abort at 10%% weight, 50 req/s, 30%% of the canary's answers 500 (min_requests 50, "
              "max_error_ratio 0.05): median %.0f ms, worst %.0f ms; at most %d requests failed before the abort\n",
              times[times.size() / 2], times.back(), worst);
  return 0;
}
