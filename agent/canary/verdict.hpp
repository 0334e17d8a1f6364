#pragma once
// The judgement of one canary window from its numbers: pass, fail (which limit, with the
// numbers) or not enough data yet. Pure.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/canary/window_stats.hpp"

namespace fical::agent::canary {

/// The limits of agent.yaml's `analysis:` (docs/canary.md).
struct Thresholds {
  double max_error_ratio = 0.05;    // canary's 5xx+failed-connect ratio above stable's, at most
  double max_p95_ratio = 2.0;       // canary p95 / stable p95, at most
  std::uint64_t min_requests = 50;  // canary tries (and stable's, for p95) before judging
  // nginx logs times in whole milliseconds: below this a stable p95 is taken as this, so
  // 1 ms against 0 ms is no breach.
  double p95_floor_seconds = 0.005;
};

/// One color's numbers as the verdict (and the deployment record) reports them.
struct ColorNumbers {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t failed_connects = 0;
  double error_ratio = 0;
  double p95_seconds = 0;
};

enum class Outcome { pass, fail, not_enough_data };
enum class Breach { error_ratio, p95_ratio };

struct Verdict {
  Outcome outcome = Outcome::not_enough_data;
  std::vector<Breach> breaches;  // with fail: every limit broken
  ColorNumbers canary;
  ColorNumbers stable;
  double p95_ratio = 0;       // canary p95 / max(stable p95, floor); 0 when not compared
  bool p95_compared = false;  // both colors had min_requests answered tries
};

ColorNumbers numbers_of(const ColorStats& stats);

/// Judges a window. Fails as soon as the canary's errors alone put it over the limit
/// even if every try up to min_requests succeeded; otherwise judges nothing before the
/// canary has min_requests tries. p95 is compared only when both colors have
/// min_requests answered tries.
Verdict judge(const ColorStats& canary, const ColorStats& stable, const Thresholds& limits);

const char* to_string(Outcome outcome);
const char* to_string(Breach breach);

}  // namespace fical::agent::canary
