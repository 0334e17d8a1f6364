#pragma once
// The deployment engine's metrics, counted from finished deployment records.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/metrics/histogram.hpp"
#include "proto/deployment.hpp"
#include "proto/release.hpp"

namespace fical::agent::metrics {

/// Counts finished deployments (by app, env, kind, result), their durations, phase
/// durations, rollbacks and health-gate time; renders them with the live release gauge
/// in the Prometheus text format. Pure: fed records, no I/O.
/// Thread-safety: record() and render() may be called concurrently.
class DeploymentMetrics {
 public:
  /// Counts one ended deployment; records not yet ended and dry runs are ignored.
  void record(const proto::Deployment& deployment);
  /// Appends every family (HELP, TYPE, samples); `live` gives fical_release_info.
  void render(std::string& out, const std::vector<proto::AppSummary>& live) const;

  /// A canary running now: its environment and the percent nginx sends it.
  struct CanaryWeight {
    std::string app, env;
    double weight = 0;
  };
  /// Appends fical_canary_weight (a gauge per environment with a canary running).
  static void render_canary_weights(std::string& out, const std::vector<CanaryWeight>& running);

 private:
  mutable std::mutex mutex_;
  std::map<Labels, double> deployments_;       // app, env, kind, result
  std::map<Labels, Histogram> durations_;      // app, env, kind
  std::map<Labels, Histogram> phases_;         // phase
  std::map<Labels, double> rollbacks_;         // app, env, trigger
  std::map<Labels, Histogram> health_gates_;   // app, env
  std::map<Labels, double> canary_verdicts_;   // app, env, result (promoted, aborted, cancelled), reason
  std::map<Labels, double> canary_requests_;   // app, env, color (canary, stable)
  std::map<Labels, double> canary_errors_;     // app, env, color
};

}  // namespace fical::agent::metrics
