#pragma once
// An environment's canary policy (`strategy: canary` in agent.yaml): the traffic steps
// and the limits of the automatic analysis. Pure data; see docs/canary.md.
#include <chrono>
#include <vector>

namespace fical::agent::config {

/// The canary gets `weight` percent of the requests for `duration`, then the next step.
struct CanaryStep {
  int weight = 10;  // 1-99; after the last step comes 100
  std::chrono::milliseconds duration{300'000};
  bool operator==(const CanaryStep&) const = default;
};

/// When a step's window fails (docs/canary.md, "Analysis").
struct CanaryAnalysis {
  double max_error_ratio = 0.05;  // canary's 5xx+failed-connect ratio above stable's
  double max_p95_ratio = 2.0;     // canary p95 upstream response time / stable's
  long min_requests = 50;         // canary tries in a window before it is judged
};

struct CanaryPolicy {
  std::vector<CanaryStep> steps{{10, std::chrono::minutes(5)}, {50, std::chrono::minutes(5)}};
  CanaryAnalysis analysis;
};

}  // namespace fical::agent::config
