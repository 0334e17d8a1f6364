#pragma once
// Prometheus text exposition of counters, extensible with collectors.
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fical::agent::api {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// Named counter families with labels, plus collectors that append their own families
/// (the deployment engine registers one later). render() writes the text format 0.0.4.
/// Thread-safety: all methods lock an internal mutex; collectors run under it, so they
/// must not call back into the registry.
class MetricsRegistry {
 public:
  using Collector = std::function<void(std::string& out)>;

  /// Declares a counter family (HELP text); increment() declares one without help.
  void describe_counter(const std::string& name, const std::string& help);
  void increment(const std::string& name, const Labels& labels = {}, double by = 1);
  /// A collector appends complete families (# HELP, # TYPE and samples) to `out`.
  void add_collector(Collector collector);

  double value(const std::string& name, const Labels& labels = {});
  std::string render();

 private:
  struct Family {
    std::string help;
    std::map<std::string, double> samples;  // rendered label set -> value
  };
  std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::vector<Collector> collectors_;
};

/// Label values escaped as the text format wants (backslash, quote, newline).
std::string render_labels(const Labels& labels);

}  // namespace fical::agent::api
