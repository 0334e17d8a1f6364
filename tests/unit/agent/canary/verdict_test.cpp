#include "agent/canary/verdict.hpp"

#include <catch2/catch.hpp>
#include <random>

using namespace fical::agent::canary;

namespace {

constexpr const char* kCanary = "172.20.0.8:3000";
constexpr const char* kStable = "172.20.0.7:3000";

/// A step's traffic as nginx would log it: `requests` over 300 s from t=1000, the canary
/// getting `percent` of them, answering 500 with `canary_500` probability and taking
/// `slowdown` times as long as stable (whose times are 10-30 ms).
struct Traffic {
  int requests = 1000;
  int percent = 10;
  double canary_500 = 0;
  double slowdown = 1;
};

WindowTally tally(const Traffic& t) {
  WindowTally tally({{kCanary}, {kStable}, "acc-prod-web", 1000, 1300});
  std::mt19937 random(42);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < t.requests; ++i) {
    bool canary = unit(random) * 100 < t.percent;
    Attempt attempt{canary ? kCanary : kStable, 200, 0.010 + 0.020 * unit(random), false};
    if (canary && unit(random) < t.canary_500) attempt.status = 500;
    if (canary) *attempt.response_time *= t.slowdown;
    tally.add({1000 + 300.0 * i / t.requests, "acc-prod-web", attempt.status, 0, {attempt}});
  }
  return tally;
}

Verdict judge_traffic(const Traffic& t, const Thresholds& limits = {}) {
  auto w = tally(t);
  return judge(w.canary(), w.stable(), limits);
}

}  // namespace

TEST_CASE("a healthy canary passes its window with its share of the requests", "[canary]") {
  auto v = judge_traffic({});
  CHECK(v.outcome == Outcome::pass);
  CHECK(v.breaches.empty());
  CHECK(v.canary.requests + v.stable.requests == 1000);
  CHECK(v.canary.requests >= 70);
  CHECK(v.canary.requests <= 130);
  CHECK(v.p95_compared);
  CHECK(v.p95_ratio < 1.2);
}

TEST_CASE("a canary answering 500 for 20% of its requests fails its first step", "[canary]") {
  auto v = judge_traffic({.canary_500 = 0.2});
  REQUIRE(v.outcome == Outcome::fail);
  CHECK(v.breaches == std::vector<Breach>{Breach::error_ratio});
  CHECK(v.canary.error_ratio > 0.1);
  CHECK(v.canary.error_ratio < 0.3);
  CHECK(v.stable.errors == 0);
}

TEST_CASE("a canary failing early fails before min_requests once no outcome can save it",
          "[canary]") {
  // 5 errors in the first 20 canary tries: even 50 tries would leave a 10% ratio.
  ColorStats canary, stable;
  canary.requests = 20;
  canary.errors = 5;
  stable.requests = 180;
  CHECK(judge(canary, stable, {}).outcome == Outcome::fail);
  canary.errors = 2;  // 2 of 50 would be 4%: not yet decided
  CHECK(judge(canary, stable, {}).outcome == Outcome::not_enough_data);
}

TEST_CASE("a canary 3 times slower at p95 fails", "[canary]") {
  auto v = judge_traffic({.slowdown = 3});
  REQUIRE(v.outcome == Outcome::fail);
  CHECK(v.breaches == std::vector<Breach>{Breach::p95_ratio});
  CHECK(v.p95_ratio > 2.5);
  CHECK(v.p95_ratio < 3.5);
  CHECK(v.canary.p95_seconds > v.stable.p95_seconds * 2.5);
}

TEST_CASE("a canary slow only below min_requests is not judged", "[canary]") {
  // 200 requests at 10%: about 20 canary tries, fewer than min_requests = 50.
  auto v = judge_traffic({.requests = 200, .slowdown = 3});
  CHECK(v.outcome == Outcome::not_enough_data);
  CHECK(v.breaches.empty());
  CHECK_FALSE(v.p95_compared);
  CHECK(v.canary.requests < 50);
}

TEST_CASE("errors the stable color has too are not the canary's", "[canary]") {
  ColorStats canary, stable;
  canary.requests = 100;
  canary.errors = 12;
  stable.requests = 900;
  stable.errors = 90;
  CHECK(judge(canary, stable, {}).outcome == Outcome::pass);
  stable.errors = 0;
  CHECK(judge(canary, stable, {}).outcome == Outcome::fail);
}

TEST_CASE("a failed connect to the canary counts against it, not the stable retry", "[canary]") {
  WindowTally w({{kCanary}, {kStable}, "", 0, 10});
  AccessRecord retried{
      1, "acc-prod-web", 200, 0, {{kCanary, 502, 0.0, true}, {kStable, 200, 0.004, false}}};
  w.add(retried);
  w.add({20, "acc-prod-web", 200, 0, {{kCanary, 200, 0.001, false}}});    // after the window
  w.add({2, "other-app", 200, 0, {{"10.9.9.9:80", 200, 0.001, false}}});  // no color
  CHECK(w.canary().requests == 1);
  CHECK(w.canary().failed_connects == 1);
  CHECK(w.canary().errors == 1);
  CHECK(w.stable().requests == 1);
  CHECK(w.stable().errors == 0);
  CHECK(w.ignored() == 2);
}

TEST_CASE("latency buckets give a quantile within 5%", "[canary]") {
  LatencyBuckets buckets;
  for (int i = 1; i <= 1000; ++i) buckets.add(i / 1000.0);  // 1 ms .. 1 s
  CHECK(buckets.quantile(0.95) >= 0.95);
  CHECK(buckets.quantile(0.95) <= 0.95 * 1.05);
  CHECK(LatencyBuckets().quantile(0.95) == 0);
  buckets.add(1e6);  // beyond the last bucket: counted there
  CHECK(buckets.count() == 1001);
}
