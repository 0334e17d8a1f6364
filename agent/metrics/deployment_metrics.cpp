#include "agent/metrics/deployment_metrics.hpp"

#include <chrono>

namespace fical::agent::metrics {
namespace {

const std::vector<double> kDeploymentBounds{1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800};
const std::vector<double> kPhaseBounds{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
const std::vector<double> kHealthBounds{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

double seconds_between(proto::TimePoint from, proto::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

Histogram& histogram(std::map<Labels, Histogram>& family, const Labels& labels,
                     const std::vector<double>& bounds) {
  return family.try_emplace(labels, bounds).first->second;
}

void render_counter(std::string& out, const std::string& name, const std::string& help,
                    const std::map<Labels, double>& samples) {
  out += family_header(name, "counter", help);
  for (const auto& [labels, value] : samples) {
    out += name + api::render_labels(labels) + " " + format_value(value) + "\n";
  }
}

void render_histogram(std::string& out, const std::string& name, const std::string& help,
                      const std::map<Labels, Histogram>& samples) {
  out += family_header(name, "histogram", help);
  for (const auto& [labels, h] : samples) h.render(out, name, labels);
}

}  // namespace

void DeploymentMetrics::record(const proto::Deployment& d) {
  if (d.dry_run || !proto::is_terminal(d.state)) return;
  const std::string kind(proto::to_string(d.kind));
  std::lock_guard lock(mutex_);
  deployments_[{{"app", d.app}, {"env", d.env}, {"kind", kind}, {"result", std::string(proto::to_string(d.state))}}] += 1;
  if (d.ended_at) {
    histogram(durations_, {{"app", d.app}, {"env", d.env}, {"kind", kind}}, kDeploymentBounds)
        .observe(seconds_between(d.created_at, *d.ended_at));
  }
  for (const auto& phase : d.phases) {
    if (!phase.ended || phase.phase == proto::Phase::done) continue;
    auto took = seconds_between(phase.started, *phase.ended);
    histogram(phases_, {{"phase", std::string(proto::to_string(phase.phase))}}, kPhaseBounds).observe(took);
    if (phase.phase == proto::Phase::health) {
      histogram(health_gates_, {{"app", d.app}, {"env", d.env}}, kHealthBounds).observe(took);
    }
  }
  if (d.kind == proto::DeploymentKind::rollback) rollbacks_[{{"app", d.app}, {"env", d.env}, {"trigger", "manual"}}] += 1;
  if (d.state == proto::DeploymentState::rolled_back) {
    rollbacks_[{{"app", d.app}, {"env", d.env}, {"trigger", "automatic"}}] += 1;
  }
  if (d.analysis.is_object()) {  // it ran a canary
    auto result = d.analysis.value("state", "");
    canary_verdicts_[{{"app", d.app}, {"env", d.env}, {"result", result},
                      {"reason", result == "aborted" ? d.analysis.value("reason", "unknown") : std::string("none")}}] += 1;
    if (auto totals = d.analysis.find("totals"); totals != d.analysis.end() && totals->is_object()) {
      for (const char* color : {"canary", "stable"}) {
        auto numbers = totals->value(color, nlohmann::json::object());
        Labels labels{{"app", d.app}, {"env", d.env}, {"color", color}};
        canary_requests_[labels] += numbers.value("requests", 0.0);
        canary_errors_[labels] += numbers.value("errors", 0.0);
      }
    }
  }
}

void DeploymentMetrics::render_canary_weights(std::string& out, const std::vector<CanaryWeight>& running) {
  out += family_header("fical_canary_weight", "gauge",
                       "Percent of the requests nginx sends to the canary of each environment running one.");
  for (const auto& c : running) {
    out += "fical_canary_weight" + api::render_labels({{"app", c.app}, {"env", c.env}}) + " " +
           format_value(c.weight) + "\n";
  }
}

void DeploymentMetrics::render(std::string& out, const std::vector<proto::AppSummary>& live) const {
  {
    std::lock_guard lock(mutex_);
    render_counter(out, "fical_deployments_total",
                   "Deployments that ended, by app, env, kind (deploy, rollback, promote) and result.", deployments_);
    render_histogram(out, "fical_deployment_duration_seconds",
                     "Time from a deployment's acceptance to its end.", durations_);
    render_histogram(out, "fical_deployment_phase_duration_seconds",
                     "Time spent in each phase of the deployments that ended.", phases_);
    render_counter(out, "fical_rollbacks_total",
                   "Rollbacks: manual (asked for) or automatic (verify failed after the switch).", rollbacks_);
    render_histogram(out, "fical_health_gate_duration_seconds",
                     "Time the new containers took to pass (or fail) the health gate.", health_gates_);
    render_counter(out, "fical_canary_verdicts_total",
                   "Canaries that ended, by result (promoted, aborted, cancelled) and abort reason.", canary_verdicts_);
    render_counter(out, "fical_canary_requests_total",
                   "Requests the canary analysis counted over its steps, by color (canary, stable).", canary_requests_);
    render_counter(out, "fical_canary_errors_total",
                   "Of them, answered 5xx or not connected, by color.", canary_errors_);
  }
  out += family_header("fical_release_info", "gauge", "The live release of each environment (value 1).");
  for (const auto& app : live) {
    for (const auto& env : app.environments) {
      if (env.live_version.empty()) continue;
      out += "fical_release_info" +
             api::render_labels({{"app", app.name}, {"env", env.name}, {"version", env.live_version},
                                 {"color", env.live_color}}) +
             " 1\n";
    }
  }
}

}  // namespace fical::agent::metrics
