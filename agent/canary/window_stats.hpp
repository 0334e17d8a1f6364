#pragma once
// Per-window numbers of a canary and its stable color from access records: tries, 5xx,
// failed connects and the p95 upstream response time. Pure; bounded memory.
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "agent/canary/access_record.hpp"

namespace fical::agent::canary {

/// Upstream response times in log-spaced buckets (each 5% wider than the last, 0.5 ms to
/// about 2 minutes), so a quantile is known within 5% in fixed memory.
class LatencyBuckets {
 public:
  static constexpr std::size_t kBuckets = 256;
  void add(double seconds);
  /// The upper bound of the bucket holding quantile q (0-1); 0 when empty.
  double quantile(double q) const;
  std::uint64_t count() const { return count_; }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
};

/// One color's numbers over a window.
struct ColorStats {
  std::uint64_t requests = 0;         // upstream tries that went to this color
  std::uint64_t errors = 0;           // of them: answered >= 500, or no connection
  std::uint64_t failed_connects = 0;  // of them: no connection
  LatencyBuckets latency;             // upstream response time of the answered ones
  double error_ratio() const { return requests ? static_cast<double>(errors) / requests : 0.0; }
  double p95() const { return latency.quantile(0.95); }
};

/// Which addresses are which color, and the window [start, end) in $msec seconds.
struct WindowSpec {
  std::set<std::string> canary;  // "172.20.0.8:3000"
  std::set<std::string> stable;
  std::string upstream_name;  // when set, records of other upstreams are ignored
  double start = 0;
  double end = 1e300;
};

/// Sums access records into the canary's and the stable color's numbers. Each try
/// counts for the color its address belongs to: a request that failed to connect to the
/// canary and was retried on stable is a canary failure and a stable success.
/// Not thread-safe: one analysis owns it.
class WindowTally {
 public:
  explicit WindowTally(WindowSpec spec) : spec_(std::move(spec)) {}
  void add(const AccessRecord& record);
  const ColorStats& canary() const { return canary_; }
  const ColorStats& stable() const { return stable_; }
  std::uint64_t ignored() const { return ignored_; }  // outside the window or of no color

 private:
  WindowSpec spec_;
  ColorStats canary_;
  ColorStats stable_;
  std::uint64_t ignored_ = 0;
};

}  // namespace fical::agent::canary
