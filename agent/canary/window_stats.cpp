#include "agent/canary/window_stats.hpp"

#include <cmath>

namespace fical::agent::canary {
namespace {

constexpr double kFirstBound = 0.0005;  // seconds
constexpr double kGrowth = 1.05;

double bound(std::size_t bucket) {
  return kFirstBound * std::pow(kGrowth, static_cast<double>(bucket));
}

}  // namespace

void LatencyBuckets::add(double seconds) {
  std::size_t bucket = 0;
  if (seconds > kFirstBound) {
    bucket =
        static_cast<std::size_t>(std::ceil(std::log(seconds / kFirstBound) / std::log(kGrowth)));
    // Rounding of log() must not put a value above its bucket's bound.
    while (bucket < kBuckets - 1 && bound(bucket) < seconds) ++bucket;
    if (bucket >= kBuckets) bucket = kBuckets - 1;
  }
  ++counts_[bucket];
  ++count_;
}

double LatencyBuckets::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return bound(i);
  }
  return bound(kBuckets - 1);
}

void WindowTally::add(const AccessRecord& record) {
  if (record.time < spec_.start || record.time >= spec_.end ||
      (!spec_.upstream_name.empty() && record.upstream_name != spec_.upstream_name)) {
    ++ignored_;
    return;
  }
  bool counted = false;
  for (const auto& attempt : record.attempts) {
    ColorStats* stats = spec_.canary.count(attempt.address)   ? &canary_
                        : spec_.stable.count(attempt.address) ? &stable_
                                                              : nullptr;
    if (!stats) continue;
    counted = true;
    ++stats->requests;
    if (attempt.connect_failed) {
      ++stats->failed_connects;
      ++stats->errors;
    } else if (attempt.status >= 500) {  // "-" (0): the client left first; not the color's fault
      ++stats->errors;
    }
    if (!attempt.connect_failed && attempt.response_time)
      stats->latency.add(*attempt.response_time);
  }
  if (!counted) ++ignored_;
}

}  // namespace fical::agent::canary
