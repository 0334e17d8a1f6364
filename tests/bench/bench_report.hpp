#pragma once
// The benchmark's table: per scenario the load's outcome, the longest gap, wall times,
// fical's overhead over the app's boot, the targets of issue 5 and the ratio to compose.
#include <chrono>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tests/bench/measure.hpp"

namespace fical::bench {

/// Which target of issue 5 a scenario is held to.
enum class Target {
  none,          // the baseline
  deploy,        // 0 failed, gap <= 100 ms, overhead (to live - boot) < 300 ms
  rollback,      // 0 failed, gap <= 100 ms, to live < 300 ms + boot
  warm_rollback, // 0 failed, gap <= 100 ms, to live < 100 ms (only a switch)
  limit          // the hand-made optimal switch (limit_flow.hpp): what fical is held to
};

/// A fical deployment and the limit's switch of the same versions, measured back to back.
struct LimitPair {
  std::size_t fical = 0;  // index in the rows
  std::size_t limit = 0;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> limit_steps;
};

/// A measured scenario with what it is compared against.
struct Row {
  Measurement m;
  Target target = Target::none;
  std::chrono::milliseconds boot{0};  // the app's own boot time in this scenario (0: no boot)
};

/// "ok" or what was missed, e.g. "MISSED: overhead 1180 ms >= 300 ms".
std::string verdict(const Row& row);

/// Prints the table, the ratios to the compose rows and the verdicts.
void print_table(std::ostream& out, const std::vector<Row>& rows);

/// Prints each fical scenario's phases (from the deployment record) lined up with the
/// moment the user's command started.
void print_phases(std::ostream& out, const std::vector<Row>& rows);

/// Issue 17's target: fical's to live within x1.05 of the limit's (per pair, and summed over
/// all pairs, which decides), 0 failed requests and a longest gap <= the limit's + 10 ms in
/// every pair. Prints both sides' steps; returns whether the target was met.
bool print_limit_comparison(std::ostream& out, const std::vector<Row>& rows, const std::vector<LimitPair>& pairs);

}  // namespace fical::bench
