#include "agent/canary/verdict.hpp"

#include <algorithm>

namespace fical::agent::canary {

ColorNumbers numbers_of(const ColorStats& stats) {
  return {stats.requests, stats.errors, stats.failed_connects, stats.error_ratio(), stats.p95()};
}

Verdict judge(const ColorStats& canary, const ColorStats& stable, const Thresholds& limits) {
  Verdict v;
  v.canary = numbers_of(canary);
  v.stable = numbers_of(stable);
  auto min_requests = std::max<std::uint64_t>(limits.min_requests, 1);
  bool enough = canary.requests >= min_requests;
  // The smallest ratio the canary can still end with at min_requests tries.
  double least_ratio = static_cast<double>(canary.errors) /
                       static_cast<double>(std::max(canary.requests, min_requests));
  if (least_ratio - v.stable.error_ratio > limits.max_error_ratio)
    v.breaches.push_back(Breach::error_ratio);
  if (enough && canary.latency.count() >= min_requests && stable.latency.count() >= min_requests) {
    v.p95_compared = true;
    v.p95_ratio = v.canary.p95_seconds / std::max(v.stable.p95_seconds, limits.p95_floor_seconds);
    if (v.p95_ratio > limits.max_p95_ratio) v.breaches.push_back(Breach::p95_ratio);
  }
  if (!v.breaches.empty()) {
    v.outcome = Outcome::fail;
  } else {
    v.outcome = enough ? Outcome::pass : Outcome::not_enough_data;
  }
  return v;
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::not_enough_data:
      return "not_enough_data";
  }
  return "?";
}

const char* to_string(Breach breach) {
  switch (breach) {
    case Breach::error_ratio:
      return "error_ratio";
    case Breach::p95_ratio:
      return "p95_ratio";
  }
  return "?";
}

}  // namespace fical::agent::canary
