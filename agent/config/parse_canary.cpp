#include "agent/config/parse_canary.hpp"

#include <charconv>

#include "proto/durations.hpp"

namespace fical::agent::config {
namespace {

constexpr std::size_t kMaxSteps = 10;
constexpr std::chrono::milliseconds kShortestStep = std::chrono::seconds(2);  // short steps: tests, demos
constexpr std::chrono::milliseconds kLongestStep = std::chrono::hours(24);

std::optional<int> parse_weight(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A number in [min, max] at map[key]; YAML gives it as a scalar.
void read_number(const YAML::Node& map, YamlReader& r, const std::string& path, const char* key,
                 double min, double max, const char* range, double& out) {
  auto node = map[key];
  if (!node) return;
  auto here = YamlReader::join(path, key);
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value)) {
    r.error(here, "must be a number");
  } else if (!(value >= min && value <= max)) {
    r.error(here, std::string("must be ") + range);
  } else {
    out = value;
  }
}

void parse_steps(const YAML::Node& node, YamlReader& r, const std::string& path,
                 std::vector<CanaryStep>& steps) {
  if (!node.IsSequence()) {
    r.error(path, "must be a list like [{weight: 10, for: 5m}, {weight: 50, for: 5m}]");
    return;
  }
  std::vector<CanaryStep> read;
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto here = path + "[" + std::to_string(i) + "]";
    if (!r.expect_map(node[i], here)) {
      ok = false;
      continue;
    }
    r.reject_unknown_keys(node[i], here, {"weight", "for"});
    CanaryStep step;
    long weight = 0;
    if (!r.read_int(node[i], here, "weight", 1, 99, weight))
      r.error(here + ".weight", "is required (1-99 percent)");
    if (!r.read_duration(node[i], here, "for", step.duration))
      r.error(here + ".for", "is required (like 5m)");
    step.weight = static_cast<int>(weight);
    ok = ok && weight >= 1 && weight <= 99;
    read.push_back(step);
  }
  if (!ok) return;
  if (auto why = check_canary_steps(read)) {
    r.error(path, *why);
  } else {
    steps = std::move(read);
  }
}

void parse_analysis(const YAML::Node& node, YamlReader& r, const std::string& path,
                    CanaryAnalysis& analysis) {
  if (!r.expect_map(node, path)) return;
  r.reject_unknown_keys(node, path, {"max_error_ratio", "max_p95_ratio", "min_requests"});
  read_number(node, r, path, "max_error_ratio", 0.0, 1.0, "0-1", analysis.max_error_ratio);
  read_number(node, r, path, "max_p95_ratio", 1.0, 100.0, "1-100", analysis.max_p95_ratio);
  r.read_int(node, path, "min_requests", 1, 1'000'000, analysis.min_requests);
}

void parse_environment_canary(const YAML::Node& node, YamlReader& r, const std::string& path,
                              Environment& env, const NginxOptions& nginx) {
  std::string strategy = "blue-green";
  r.read_string(node, path, "strategy", strategy);
  if (strategy != "blue-green" && strategy != "canary") {
    r.error(path + ".strategy", "\"" + strategy.substr(0, 40) + "\" is not blue-green or canary");
    return;
  }
  if (strategy != "canary") {
    for (const char* key : {"steps", "analysis"}) {
      if (node[key]) r.error(YamlReader::join(path, key), "has no effect without strategy: canary");
    }
    return;
  }
  CanaryPolicy policy;
  if (auto steps = node["steps"]) parse_steps(steps, r, path + ".steps", policy.steps);
  if (auto analysis = node["analysis"])
    parse_analysis(analysis, r, path + ".analysis", policy.analysis);
  if (nginx.access_log.empty()) {
    r.error(path + ".strategy",
            "canary needs nginx.access_log (the fical_canary log it judges the canary by)");
  }
  env.canary = std::move(policy);
}

}  // namespace

std::optional<std::string> check_canary_steps(const std::vector<CanaryStep>& steps) {
  if (steps.empty()) return "needs at least one step";
  if (steps.size() > kMaxSteps) return "has " + std::to_string(steps.size()) + " steps; at most 10";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    auto which = "step " + std::to_string(i + 1);
    if (step.weight < 1 || step.weight > 99)
      return which + ": weight " + std::to_string(step.weight) + " is not 1-99";
    if (i > 0 && step.weight <= steps[i - 1].weight) {
      return which + ": weight " + std::to_string(step.weight) +
             " must be above the previous step's " + std::to_string(steps[i - 1].weight);
    }
    if (step.duration < kShortestStep || step.duration > kLongestStep) {
      return which + ": " + proto::format_duration(step.duration) + " is not 2s-24h";
    }
  }
  return std::nullopt;
}

std::optional<std::vector<CanaryStep>> parse_steps_flag(std::string_view text, std::string& why) {
  std::vector<CanaryStep> steps;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto colon = item.find(':');
    auto weight =
        colon == std::string_view::npos ? std::nullopt : parse_weight(item.substr(0, colon));
    auto duration = colon == std::string_view::npos ? std::nullopt
                                                    : proto::parse_duration(item.substr(colon + 1));
    if (!weight || !duration) {
      why = "\"" + std::string(item.substr(0, 40)) + "\" is not weight:duration (like 10:5m)";
      return std::nullopt;
    }
    steps.push_back({*weight, *duration});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (auto problem = check_canary_steps(steps)) {
    why = *problem;
    return std::nullopt;
  }
  return steps;
}

void parse_canary(const YAML::Node& root, YamlReader& r, Config& config) {
  if (auto nginx = root["nginx"]; nginx && nginx.IsMap()) {
    r.read_path(nginx, "nginx", "access_log", config.nginx.access_log);
  }
  const YAML::Node apps = root["apps"];
  if (!apps || !apps.IsMap()) return;
  for (auto& app : config.apps) {
    const YAML::Node envs = apps[app.name]["environments"];
    if (!envs || !envs.IsMap()) continue;
    for (auto& env : app.environments) {
      const YAML::Node node = envs[env.name];
      if (!node || !node.IsMap()) continue;
      parse_environment_canary(node, r, "apps." + app.name + ".environments." + env.name, env,
                               config.nginx);
    }
  }
}

}  // namespace fical::agent::config
