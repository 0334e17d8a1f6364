#include "agent/canary/step_policy.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::canary;
using namespace std::chrono_literals;

namespace {

Verdict verdict(Outcome outcome, std::vector<Breach> breaches = {}) {
  Verdict v;
  v.outcome = outcome;
  v.breaches = std::move(breaches);
  return v;
}

}  // namespace

TEST_CASE("a failed window aborts at once, whatever the step's time", "[canary]") {
  auto d = decide_step(5min, false, 10s, verdict(Outcome::fail, {Breach::error_ratio}));
  CHECK(d.action == StepAction::abort);
  CHECK(d.reason == "error_ratio");
  CHECK(decide_step(5min, true, 0s, verdict(Outcome::fail, {Breach::p95_ratio})).reason ==
        "p95_ratio");
}

TEST_CASE("a passing step holds its weight until its time is up, then moves on", "[canary]") {
  CHECK(decide_step(5min, false, 299s, verdict(Outcome::pass)).action == StepAction::hold);
  CHECK(decide_step(5min, false, 5min, verdict(Outcome::pass)).action == StepAction::advance);
  CHECK(decide_step(5min, true, 5min, verdict(Outcome::pass)).action == StepAction::promote);
}

TEST_CASE("a step without enough data is held up to twice its length, then aborted", "[canary]") {
  CHECK(decide_step(5min, true, 5min, verdict(Outcome::not_enough_data)).action ==
        StepAction::hold);
  CHECK(decide_step(5min, true, 9min, verdict(Outcome::not_enough_data)).action ==
        StepAction::hold);
  auto d = decide_step(5min, true, 10min, verdict(Outcome::not_enough_data));
  CHECK(d.action == StepAction::abort);
  CHECK(d.reason == "not_enough_data");
}

TEST_CASE("a verdict's JSON carries both colors' numbers", "[canary]") {
  ColorStats canary, stable;
  canary.requests = 100;
  canary.errors = 20;
  for (int i = 0; i < 100; ++i) canary.latency.add(0.010);
  stable.requests = 900;
  for (int i = 0; i < 900; ++i) stable.latency.add(0.010);
  auto j = verdict_json(judge(canary, stable, {}));
  CHECK(j["outcome"] == "fail");
  CHECK(j["breaches"] == nlohmann::json::array({"error_ratio"}));
  CHECK(j["canary"]["requests"] == 100);
  CHECK(j["canary"]["errors"] == 20);
  CHECK(j["canary"]["error_ratio"].get<double>() == Approx(0.2));
  CHECK(j["canary"]["p95_ms"].get<double>() >= 10.0);
  CHECK(j["canary"]["p95_ms"].get<double>() <= 10.5);
  CHECK(j["stable"]["requests"] == 900);
  CHECK(j["p95_compared"] == true);
}
