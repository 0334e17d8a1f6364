#include "agent/api/metrics_registry.hpp"

#include <cmath>
#include <cstdio>

namespace fical::agent::api {

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += name;
    out += "=\"";
    for (char c : value) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

void MetricsRegistry::describe_counter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  families_[name].help = help;
}

void MetricsRegistry::increment(const std::string& name, const Labels& labels, double by) {
  auto key = render_labels(labels);
  std::lock_guard lock(mutex_);
  families_[name].samples[key] += by;
}

void MetricsRegistry::add_collector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

double MetricsRegistry::value(const std::string& name, const Labels& labels) {
  auto key = render_labels(labels);
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return 0;
  auto sample = family->second.samples.find(key);
  return sample == family->second.samples.end() ? 0 : sample->second;
}

std::string MetricsRegistry::render() {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (!family.help.empty()) out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + " counter\n";
    for (const auto& [labels, value] : family.samples) {
      char number[64];
      std::snprintf(number, sizeof number, "%.17g", value);
      out += name + labels + " " + number + "\n";
    }
  }
  for (const auto& collector : collectors_) collector(out);
  return out;
}

}  // namespace fical::agent::api
