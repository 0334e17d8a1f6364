#include "agent/metrics/emf.hpp"

#include <chrono>
#include <cstdint>
#include <map>

namespace fical::agent::metrics {
namespace {

constexpr std::size_t kMaxReasonChars = 512;  // a failure quotes stderr; keep the line small

std::int64_t millis_between(proto::TimePoint from, proto::TimePoint to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

bool counts_as_failure(proto::DeploymentState state) {
  return state == proto::DeploymentState::failed || state == proto::DeploymentState::rolled_back ||
         state == proto::DeploymentState::interrupted;
}

// Milliseconds spent in each phase that ended (a phase entered twice is summed).
std::map<std::string, std::int64_t> phase_durations(const proto::Deployment& d) {
  std::map<std::string, std::int64_t> took;
  for (const auto& phase : d.phases) {
    if (!phase.ended || phase.phase == proto::Phase::done) continue;
    took[std::string(proto::to_string(phase.phase))] += millis_between(phase.started, *phase.ended);
  }
  return took;
}

}  // namespace

std::optional<nlohmann::json> emf_record(const proto::Deployment& d, const std::string& cloudwatch_namespace) {
  if (d.dry_run || !proto::is_terminal(d.state) || !d.ended_at) return std::nullopt;
  auto phases = phase_durations(d);
  bool rollback = d.kind == proto::DeploymentKind::rollback || d.state == proto::DeploymentState::rolled_back;

  nlohmann::json record;
  record["App"] = d.app;
  record["Env"] = d.env;
  auto metrics = nlohmann::json::array();
  auto metric = [&](const char* name, const char* unit, std::int64_t value) {
    nlohmann::json definition;
    definition["Name"] = name;
    definition["Unit"] = unit;
    metrics.push_back(std::move(definition));
    record[name] = value;
  };
  metric("DeploymentDuration", "Milliseconds", millis_between(d.created_at, *d.ended_at));
  metric("DeploymentSucceeded", "Count", d.state == proto::DeploymentState::succeeded ? 1 : 0);
  metric("DeploymentFailed", "Count", counts_as_failure(d.state) ? 1 : 0);
  metric("Rollback", "Count", rollback ? 1 : 0);
  if (auto health = phases.find("health"); health != phases.end()) {
    metric("HealthGateDuration", "Milliseconds", health->second);
  }
  nlohmann::json directive;
  directive["Namespace"] = cloudwatch_namespace;
  directive["Dimensions"] = nlohmann::json::array({nlohmann::json::array({"App", "Env"})});
  directive["Metrics"] = std::move(metrics);
  record["_aws"]["Timestamp"] = d.ended_at->time_since_epoch().count();
  record["_aws"]["CloudWatchMetrics"] = nlohmann::json::array({std::move(directive)});

  record["DeploymentId"] = d.id;
  record["Kind"] = std::string(proto::to_string(d.kind));
  record["Result"] = std::string(proto::to_string(d.state));
  record["Version"] = d.version;
  if (!d.previous_version.empty()) record["PreviousVersion"] = d.previous_version;
  if (!d.color.empty()) record["Color"] = d.color;
  if (!d.actor.empty()) record["Actor"] = d.actor;
  if (rollback) record["RollbackTrigger"] = d.kind == proto::DeploymentKind::rollback ? "manual" : "automatic";
  if (!d.error.empty()) record["Reason"] = d.error.substr(0, kMaxReasonChars);
  record["PhaseDurations"] = phases;
  return record;
}

std::optional<std::string> emf_line(const proto::Deployment& d, const std::string& cloudwatch_namespace) {
  auto record = emf_record(d, cloudwatch_namespace);
  if (!record) return std::nullopt;
  return record->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace fical::agent::metrics
