#pragma once
// A Prometheus histogram: fixed upper bounds, cumulative counts, sum and count.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/api/metrics_registry.hpp"

namespace fical::agent::metrics {

using api::Labels;

/// Counts observations into buckets by upper bound. Not thread-safe: its owner locks.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);
  /// Appends the _bucket (cumulative, ending with le="+Inf"), _sum and _count samples.
  void render(std::string& out, const std::string& name, const Labels& labels) const;

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

/// A sample value in the text format: shortest round-trip form, "+Inf", "-Inf" or "NaN".
std::string format_value(double value);
/// "# HELP name help\n# TYPE name type\n".
std::string family_header(const std::string& name, const std::string& type, const std::string& help);

}  // namespace fical::agent::metrics
