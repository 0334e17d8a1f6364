#include "tests/support/prometheus_text.hpp"

#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>

namespace fical::testing {
namespace {

const std::regex kMetricName("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex kLabelName("[a-zA-Z_][a-zA-Z0-9_]*");
const std::regex kNumber("[-+]?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?|Inf|NaN)");
const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary", "untyped"};

[[noreturn]] void fail(std::size_t line, const std::string& why) {
  throw std::runtime_error("line " + std::to_string(line) + ": " + why);
}

double parse_number(const std::string& text, std::size_t line) {
  if (!std::regex_match(text, kNumber)) fail(line, "not a number: \"" + text + "\"");
  if (text == "+Inf" || text == "Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  return std::stod(text);
}

// Reads `{name="value",...}` from text at pos (just after the metric name).
std::map<std::string, std::string> parse_labels(const std::string& text, std::size_t& pos, std::size_t line) {
  std::map<std::string, std::string> labels;
  if (pos >= text.size() || text[pos] != '{') return labels;
  ++pos;
  while (true) {
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return labels;
    }
    auto eq = text.find('=', pos);
    if (eq == std::string::npos) fail(line, "label without '='");
    auto name = text.substr(pos, eq - pos);
    if (!std::regex_match(name, kLabelName)) fail(line, "bad label name \"" + name + "\"");
    pos = eq + 1;
    if (pos >= text.size() || text[pos] != '"') fail(line, "label value not quoted");
    std::string value;
    for (++pos;; ++pos) {
      if (pos >= text.size()) fail(line, "unterminated label value");
      char c = text[pos];
      if (c == '"') break;
      if (c == '\\') {
        if (++pos >= text.size()) fail(line, "dangling backslash");
        char e = text[pos];
        if (e == 'n') value += '\n';
        else if (e == '\\' || e == '"') value += e;
        else fail(line, std::string("bad escape \\") + e);
      } else {
        value += c;
      }
    }
    ++pos;
    if (!labels.emplace(name, value).second) fail(line, "label \"" + name + "\" repeated");
    if (pos < text.size() && text[pos] == ',') ++pos;
    else if (pos >= text.size() || text[pos] != '}') fail(line, "expected ',' or '}' after a label");
  }
}

// The family a sample name belongs to, given the declared families.
std::string family_of(const std::string& name, const std::map<std::string, PromFamily>& families) {
  if (families.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      auto base = name.substr(0, name.size() - s.size());
      auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || (it->second.type == "summary" && s != "_bucket"))) {
        return base;
      }
    }
  }
  return {};
}

void check_histogram(const std::string& name, const PromFamily& family) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // le, count
    bool has_sum = false, has_count = false;
    double count = 0;
  };
  std::map<std::map<std::string, std::string>, Series> series;
  for (const auto& s : family.samples) {
    auto labels = s.labels;
    if (s.name == name + "_bucket") {
      auto le = labels.find("le");
      if (le == labels.end()) throw std::runtime_error(name + ": a bucket without le");
      double bound = parse_number(le->second, 0);
      labels.erase(le);
      series[labels].buckets.emplace_back(bound, s.value);
    } else if (s.name == name + "_sum") {
      series[labels].has_sum = true;
    } else if (s.name == name + "_count") {
      series[labels].has_count = true;
      series[labels].count = s.value;
    } else {
      throw std::runtime_error(name + ": sample " + s.name + " in a histogram");
    }
  }
  for (const auto& [labels, s] : series) {
    if (!s.has_sum || !s.has_count) throw std::runtime_error(name + ": _sum or _count missing");
    if (s.buckets.empty() || !std::isinf(s.buckets.back().first)) throw std::runtime_error(name + ": no +Inf bucket last");
    for (std::size_t i = 1; i < s.buckets.size(); ++i) {
      if (!(s.buckets[i].first > s.buckets[i - 1].first)) throw std::runtime_error(name + ": le not increasing");
      if (s.buckets[i].second < s.buckets[i - 1].second) throw std::runtime_error(name + ": buckets not cumulative");
    }
    if (s.buckets.back().second != s.count) throw std::runtime_error(name + ": +Inf bucket differs from _count");
  }
}

}  // namespace

std::map<std::string, PromFamily> parse_prometheus_text(const std::string& text) {
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("the text does not end with a newline");
  std::map<std::string, PromFamily> families;
  std::set<std::string> with_help, with_type, closed, series;
  std::string current;  // the family whose samples came last
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::smatch m;
      static const std::regex kMeta("# (HELP|TYPE) ([^ ]+)(?: (.*))?");
      if (!std::regex_match(line, m, kMeta)) continue;  // a plain comment
      std::string name = m[2];
      if (!std::regex_match(name, kMetricName)) fail(number, "bad metric name \"" + name + "\"");
      if (!families[name].samples.empty()) fail(number, m[1].str() + " after samples of " + name);
      if (m[1] == "HELP") {
        if (!with_help.insert(name).second) fail(number, "second HELP for " + name);
        families[name].help = m[3];
      } else {
        if (!kTypes.count(m[3])) fail(number, "unknown type \"" + m[3].str() + "\"");
        if (!with_type.insert(name).second) fail(number, "second TYPE for " + name);
        families[name].type = m[3];
      }
      continue;
    }
    auto name_end = line.find_first_of("{ ");
    if (name_end == std::string::npos) fail(number, "a sample without a value");
    auto name = line.substr(0, name_end);
    if (!std::regex_match(name, kMetricName)) fail(number, "bad metric name \"" + name + "\"");
    std::size_t pos = name_end;
    auto labels = parse_labels(line, pos, number);
    if (pos >= line.size() || line[pos] != ' ') fail(number, "expected a space before the value");
    auto rest = line.substr(pos + 1);
    auto space = rest.find(' ');
    double value = parse_number(rest.substr(0, space), number);
    if (space != std::string::npos && !std::regex_match(rest.substr(space + 1), std::regex("-?[0-9]+"))) {
      fail(number, "bad timestamp");
    }
    auto family = family_of(name, families);
    if (family.empty() || !with_type.count(family)) fail(number, name + " has no TYPE before it");
    if (family != current) {
      if (closed.count(family)) fail(number, "samples of " + family + " split by another family");
      if (!current.empty()) closed.insert(current);
      current = family;
    }
    std::string key = name;
    for (const auto& [k, v] : labels) key += "\x1f" + k + "=" + v;
    if (!series.insert(key).second) fail(number, "series repeated: " + name);
    if (families[family].type == "counter" && !(value >= 0)) fail(number, "a counter below 0: " + name);
    families[family].samples.push_back({name, labels, value});
  }
  for (const auto& [name, family] : families) {
    if (family.type == "histogram") check_histogram(name, family);
  }
  return families;
}

double prom_value(const std::map<std::string, PromFamily>& families, const std::string& name,
                  const std::map<std::string, std::string>& labels) {
  for (const auto& [family_name, family] : families) {
    for (const auto& sample : family.samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
  }
  throw std::runtime_error("no sample " + name + " with those labels");
}

}  // namespace fical::testing
