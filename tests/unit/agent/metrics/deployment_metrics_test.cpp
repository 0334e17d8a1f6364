#include "agent/metrics/deployment_metrics.hpp"

#include <catch2/catch.hpp>

#include "agent/api/metrics_registry.hpp"
#include "tests/support/prometheus_text.hpp"

using namespace fical::agent::metrics;
using fical::testing::parse_prometheus_text;
using fical::testing::prom_value;
namespace proto = fical::proto;
using namespace std::chrono_literals;

namespace {

const proto::TimePoint kStart = *proto::parse_time("2026-01-01T00:00:00Z");

/// A finished deployment of app/env that spent `health` in the health gate and ended at +12 s.
proto::Deployment finished(std::string app, std::string env, proto::DeploymentState state,
                           proto::DeploymentKind kind = proto::DeploymentKind::deploy,
                           std::chrono::milliseconds health = 1500ms) {
  proto::Deployment d;
  d.id = "d-" + app;
  d.app = std::move(app);
  d.env = std::move(env);
  d.kind = kind;
  d.state = state;
  d.version = "v1";
  d.created_at = kStart;
  d.ended_at = kStart + 12s;
  d.phases = {{proto::Phase::pull, kStart, kStart + 3s},
              {proto::Phase::health, kStart + 3s, kStart + 3s + health},
              {proto::Phase::switch_traffic, kStart + 5s, kStart + 5s + 200ms},
              {proto::Phase::done, kStart + 12s, std::nullopt}};
  return d;
}

std::string render(const DeploymentMetrics& metrics, const std::vector<proto::AppSummary>& live = {}) {
  std::string out;
  metrics.render(out, live);
  return out;
}

}  // namespace

TEST_CASE("deployment metrics: counts by app, env, kind and result", "[metrics]") {
  DeploymentMetrics metrics;
  metrics.record(finished("web", "staging", proto::DeploymentState::succeeded));
  metrics.record(finished("web", "staging", proto::DeploymentState::succeeded));
  metrics.record(finished("web", "staging", proto::DeploymentState::failed));
  metrics.record(finished("web", "prod", proto::DeploymentState::rolled_back));
  metrics.record(finished("web", "prod", proto::DeploymentState::succeeded, proto::DeploymentKind::rollback));
  auto running = finished("web", "staging", proto::DeploymentState::running);
  metrics.record(running);  // not ended: ignored
  auto dry = finished("web", "staging", proto::DeploymentState::succeeded);
  dry.dry_run = true;
  metrics.record(dry);

  auto scrape = parse_prometheus_text(render(metrics));
  CHECK(scrape.at("fical_deployments_total").type == "counter");
  CHECK(prom_value(scrape, "fical_deployments_total",
                   {{"app", "web"}, {"env", "staging"}, {"kind", "deploy"}, {"result", "succeeded"}}) == 2);
  CHECK(prom_value(scrape, "fical_deployments_total",
                   {{"app", "web"}, {"env", "staging"}, {"kind", "deploy"}, {"result", "failed"}}) == 1);
  CHECK(prom_value(scrape, "fical_deployments_total",
                   {{"app", "web"}, {"env", "prod"}, {"kind", "rollback"}, {"result", "succeeded"}}) == 1);
  CHECK(prom_value(scrape, "fical_rollbacks_total", {{"app", "web"}, {"env", "prod"}, {"trigger", "automatic"}}) == 1);
  CHECK(prom_value(scrape, "fical_rollbacks_total", {{"app", "web"}, {"env", "prod"}, {"trigger", "manual"}}) == 1);
  CHECK(scrape.at("fical_deployments_total").samples.size() == 4);
}

TEST_CASE("deployment metrics: duration, phase and health-gate histograms", "[metrics]") {
  DeploymentMetrics metrics;
  metrics.record(finished("web", "staging", proto::DeploymentState::succeeded, proto::DeploymentKind::deploy, 400ms));
  metrics.record(finished("web", "staging", proto::DeploymentState::succeeded, proto::DeploymentKind::deploy, 7s));
  auto scrape = parse_prometheus_text(render(metrics));  // checks cumulative buckets, +Inf == count

  CHECK(scrape.at("fical_deployment_duration_seconds").type == "histogram");
  std::map<std::string, std::string> web{{"app", "web"}, {"env", "staging"}, {"kind", "deploy"}};
  CHECK(prom_value(scrape, "fical_deployment_duration_seconds_count", web) == 2);
  CHECK(prom_value(scrape, "fical_deployment_duration_seconds_sum", web) == 24);
  auto bucket = [&](std::string name, std::map<std::string, std::string> labels, std::string le) {
    labels["le"] = le;
    return prom_value(scrape, name + "_bucket", labels);
  };
  CHECK(bucket("fical_deployment_duration_seconds", web, "10") == 0);
  CHECK(bucket("fical_deployment_duration_seconds", web, "20") == 2);
  CHECK(bucket("fical_deployment_duration_seconds", web, "+Inf") == 2);

  std::map<std::string, std::string> gate{{"app", "web"}, {"env", "staging"}};
  CHECK(bucket("fical_health_gate_duration_seconds", gate, "0.5") == 1);
  CHECK(bucket("fical_health_gate_duration_seconds", gate, "5") == 1);
  CHECK(bucket("fical_health_gate_duration_seconds", gate, "10") == 2);
  CHECK(prom_value(scrape, "fical_health_gate_duration_seconds_sum", gate) == Approx(7.4));

  CHECK(prom_value(scrape, "fical_deployment_phase_duration_seconds_count", {{"phase", "pull"}}) == 2);
  CHECK(prom_value(scrape, "fical_deployment_phase_duration_seconds_sum", {{"phase", "switch"}}) == Approx(0.4));
  CHECK(bucket("fical_deployment_phase_duration_seconds", {{"phase", "switch"}}, "0.25") == 2);
  CHECK_THROWS(prom_value(scrape, "fical_deployment_phase_duration_seconds_count", {{"phase", "done"}}));
}

TEST_CASE("deployment metrics: live release info from the environments' summaries", "[metrics]") {
  DeploymentMetrics metrics;
  auto text = render(metrics, {{"web", {{"staging", "v1.2", "green", ""}, {"prod", "", "", ""}}},
                               {"a\"b", {{"x", "v\\2", "blue", ""}}}});
  auto scrape = parse_prometheus_text(text);
  CHECK(scrape.at("fical_release_info").type == "gauge");
  CHECK(prom_value(scrape, "fical_release_info", {{"app", "web"}, {"env", "staging"}, {"version", "v1.2"}, {"color", "green"}}) == 1);
  CHECK(prom_value(scrape, "fical_release_info", {{"app", "a\"b"}, {"env", "x"}, {"version", "v\\2"}, {"color", "blue"}}) == 1);
  CHECK(scrape.at("fical_release_info").samples.size() == 2);  // nothing live in prod
  // With nothing counted yet, every family is still declared.
  for (const char* family : {"fical_deployments_total", "fical_deployment_duration_seconds",
                             "fical_deployment_phase_duration_seconds", "fical_rollbacks_total",
                             "fical_health_gate_duration_seconds"}) {
    CHECK(scrape.count(family) == 1);
  }
}

TEST_CASE("a registry with the API counters and the deployment collector parses as one scrape", "[metrics]") {
  fical::agent::api::MetricsRegistry registry;
  registry.describe_counter("fical_api_requests_total", "Requests.");
  registry.increment("fical_api_requests_total", {{"route", "/v1/apps"}, {"method", "GET"}, {"status", "200"}});
  DeploymentMetrics metrics;
  metrics.record(finished("web", "staging", proto::DeploymentState::succeeded));
  registry.add_collector([&](std::string& out) { metrics.render(out, {}); });
  auto scrape = parse_prometheus_text(registry.render());
  CHECK(prom_value(scrape, "fical_api_requests_total", {{"route", "/v1/apps"}, {"method", "GET"}, {"status", "200"}}) == 1);
}

TEST_CASE("histogram: le is an upper bound, inclusive", "[metrics]") {
  Histogram h({1, 2});
  h.observe(1);
  h.observe(1.5);
  h.observe(3);
  std::string out = family_header("h", "histogram", "x");
  h.render(out, "h", {});
  auto scrape = parse_prometheus_text(out);
  CHECK(prom_value(scrape, "h_bucket", {{"le", "1"}}) == 1);
  CHECK(prom_value(scrape, "h_bucket", {{"le", "2"}}) == 2);
  CHECK(prom_value(scrape, "h_bucket", {{"le", "+Inf"}}) == 3);
  CHECK(prom_value(scrape, "h_sum") == 5.5);
  CHECK(format_value(0.1) == "0.1");
  CHECK(format_value(1e21) == "1e+21");
}

TEST_CASE("deployment metrics: canary verdicts, per-color counts and the live weight", "[metrics][canary]") {
  DeploymentMetrics metrics;
  auto aborted = finished("web", "prod", proto::DeploymentState::rolled_back);
  aborted.analysis = {{"state", "aborted"}, {"reason", "error_ratio"},
                      {"totals", {{"canary", {{"requests", 40}, {"errors", 9}}},
                                  {"stable", {{"requests", 360}, {"errors", 1}}}}}};
  metrics.record(aborted);
  auto promoted = finished("web", "prod", proto::DeploymentState::succeeded);
  promoted.analysis = {{"state", "promoted"},
                       {"totals", {{"canary", {{"requests", 100}, {"errors", 0}}},
                                   {"stable", {{"requests", 400}, {"errors", 0}}}}}};
  metrics.record(promoted);
  metrics.record(finished("web", "prod", proto::DeploymentState::succeeded));  // blue-green: no canary
  auto text = render(metrics);
  DeploymentMetrics::render_canary_weights(text, {{"web", "staging", 10}});
  auto scrape = parse_prometheus_text(text);
  CHECK(prom_value(scrape, "fical_canary_verdicts_total",
                   {{"app", "web"}, {"env", "prod"}, {"result", "aborted"}, {"reason", "error_ratio"}}) == 1);
  CHECK(prom_value(scrape, "fical_canary_verdicts_total",
                   {{"app", "web"}, {"env", "prod"}, {"result", "promoted"}, {"reason", "none"}}) == 1);
  CHECK(scrape.at("fical_canary_verdicts_total").samples.size() == 2);
  CHECK(prom_value(scrape, "fical_canary_requests_total", {{"app", "web"}, {"env", "prod"}, {"color", "canary"}}) == 140);
  CHECK(prom_value(scrape, "fical_canary_errors_total", {{"app", "web"}, {"env", "prod"}, {"color", "canary"}}) == 9);
  CHECK(prom_value(scrape, "fical_canary_errors_total", {{"app", "web"}, {"env", "prod"}, {"color", "stable"}}) == 1);
  CHECK(scrape.at("fical_canary_weight").type == "gauge");
  CHECK(prom_value(scrape, "fical_canary_weight", {{"app", "web"}, {"env", "staging"}}) == 10);
}
