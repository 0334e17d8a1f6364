#pragma once
// A strict parser of the Prometheus text format 0.0.4, for tests that validate a scrape.
#include <map>
#include <string>
#include <vector>

namespace fical::testing {

/// One sample line: `name{labels} value`.
struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// A metric family: its TYPE, HELP and samples, in the order they came.
struct PromFamily {
  std::string type;
  std::string help;
  std::vector<PromSample> samples;
};

/// Parses a whole exposition. Throws std::runtime_error naming the line when: a line is
/// neither a comment, blank, nor `name{labels} value [timestamp]`; a family's samples come
/// before its TYPE, lack one, or are split by another family; HELP/TYPE repeat; a series
/// repeats; a counter is negative; a histogram's buckets are not cumulative in increasing
/// `le`, or it lacks +Inf, _sum or _count, or +Inf differs from _count.
std::map<std::string, PromFamily> parse_prometheus_text(const std::string& text);

/// The value of the sample `name` with exactly `labels` in `families`; throws if absent.
double prom_value(const std::map<std::string, PromFamily>& families, const std::string& name,
                  const std::map<std::string, std::string>& labels = {});

}  // namespace fical::testing
