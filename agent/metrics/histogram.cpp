#include "agent/metrics/histogram.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace fical::agent::metrics {

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[64];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return ec == std::errc{} ? std::string(text, end) : "NaN";
}

std::string family_header(const std::string& name, const std::string& type, const std::string& help) {
  return "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(double value) {
  auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<std::size_t>(bucket)];
  ++count_;
  sum_ += value;
}

void Histogram::render(std::string& out, const std::string& name, const Labels& labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    auto with_le = labels;
    with_le.emplace_back("le", i < bounds_.size() ? format_value(bounds_[i]) : "+Inf");
    out += name + "_bucket" + api::render_labels(with_le) + " " + std::to_string(cumulative) + "\n";
  }
  out += name + "_sum" + api::render_labels(labels) + " " + format_value(sum_) + "\n";
  out += name + "_count" + api::render_labels(labels) + " " + std::to_string(count_) + "\n";
}

}  // namespace fical::agent::metrics
