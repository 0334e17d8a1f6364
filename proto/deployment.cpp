#include "proto/deployment.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace fical::proto {
namespace {

template <typename Enum, std::size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<DeploymentKind, 3> kKinds{{{DeploymentKind::deploy, "deploy"},
                                           {DeploymentKind::rollback, "rollback"},
                                           {DeploymentKind::promote, "promote"}}};
constexpr Names<DeploymentState, 7> kStates{{{DeploymentState::pending, "pending"},
                                             {DeploymentState::running, "running"},
                                             {DeploymentState::succeeded, "succeeded"},
                                             {DeploymentState::failed, "failed"},
                                             {DeploymentState::rolled_back, "rolled_back"},
                                             {DeploymentState::cancelled, "cancelled"},
                                             {DeploymentState::interrupted, "interrupted"}}};
constexpr Names<Phase, 13> kPhases{{{Phase::preflight, "preflight"},
                                    {Phase::resolve, "resolve"},
                                    {Phase::pull, "pull"},
                                    {Phase::build, "build"},
                                    {Phase::migrate, "migrate"},
                                    {Phase::start, "start"},
                                    {Phase::health, "health"},
                                    {Phase::canary, "canary"},
                                    {Phase::switch_traffic, "switch"},
                                    {Phase::verify, "verify"},
                                    {Phase::drain, "drain"},
                                    {Phase::retire, "retire"},
                                    {Phase::done, "done"}}};
constexpr Names<EventLevel, 3> kLevels{
    {{EventLevel::info, "info"}, {EventLevel::warn, "warn"}, {EventLevel::error, "error"}}};

template <typename Enum, std::size_t N>
std::string_view name_of(const Names<Enum, N>& names, Enum value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const Names<Enum, N>& names, std::string_view text) {
  for (const auto& [v, name] : names) {
    if (name == text) return v;
  }
  return std::nullopt;
}

// Reads an enum field, throwing a json exception with the field's name when it is unknown.
template <typename Enum, std::size_t N>
Enum enum_field(const nlohmann::json& json, const char* key, const Names<Enum, N>& names) {
  auto text = json.at(key).get<std::string>();
  auto value = value_of(names, text);
  if (!value) {
    throw nlohmann::json::other_error::create(501, std::string(key) + ": unknown value \"" + text + "\"",
                                              &json);
  }
  return *value;
}

TimePoint time_field(const nlohmann::json& json, const char* key) {
  auto text = json.at(key).get<std::string>();
  auto time = parse_time(text);
  if (!time) {
    throw nlohmann::json::other_error::create(501, std::string(key) + ": not a time: " + text, &json);
  }
  return *time;
}

std::string string_or_empty(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::string_view to_string(DeploymentKind kind) { return name_of(kKinds, kind); }
std::string_view to_string(DeploymentState state) { return name_of(kStates, state); }
std::string_view to_string(Phase phase) { return name_of(kPhases, phase); }
std::string_view to_string(EventLevel level) { return name_of(kLevels, level); }
std::optional<DeploymentKind> deployment_kind_from_string(std::string_view text) {
  return value_of(kKinds, text);
}
std::optional<DeploymentState> deployment_state_from_string(std::string_view text) {
  return value_of(kStates, text);
}
std::optional<Phase> phase_from_string(std::string_view text) { return value_of(kPhases, text); }

bool is_terminal(DeploymentState state) {
  return state != DeploymentState::pending && state != DeploymentState::running;
}

nlohmann::json to_json(const Event& event) {
  nlohmann::json json{{"seq", event.seq},
                      {"time", format_time(event.time)},
                      {"phase", to_string(event.phase)},
                      {"level", to_string(event.level)},
                      {"message", event.message}};
  if (!event.data.is_null()) json["data"] = event.data;
  return json;
}

Event event_from_json(const nlohmann::json& json) {
  Event event;
  event.seq = json.at("seq").get<std::uint64_t>();
  event.time = time_field(json, "time");
  event.phase = enum_field(json, "phase", kPhases);
  event.level = enum_field(json, "level", kLevels);
  event.message = json.at("message").get<std::string>();
  if (auto it = json.find("data"); it != json.end()) event.data = *it;
  return event;
}

nlohmann::json to_json(const Deployment& d, bool with_events) {
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : d.phases) {
    nlohmann::json record{{"phase", to_string(p.phase)}, {"started", format_time(p.started)}};
    if (p.ended) record["ended"] = format_time(*p.ended);
    phases.push_back(std::move(record));
  }
  nlohmann::json json{{"id", d.id},
                      {"app", d.app},
                      {"env", d.env},
                      {"kind", to_string(d.kind)},
                      {"version", d.version},
                      {"dry_run", d.dry_run},
                      {"actor", d.actor},
                      {"state", to_string(d.state)},
                      {"phase", to_string(d.phase)},
                      {"created_at", format_time(d.created_at)},
                      {"phases", std::move(phases)},
                      {"color", d.color},
                      {"previous_version", d.previous_version},
                      {"previous_serving", d.previous_serving},
                      {"error", d.error}};
  if (!d.idempotency_key.empty()) json["idempotency_key"] = d.idempotency_key;
  if (d.ended_at) json["ended_at"] = format_time(*d.ended_at);
  if (!d.plan.is_null()) json["plan"] = d.plan;
  if (d.promoted_from) {
    json["promoted_from"] = {{"env", d.promoted_from->env}, {"deployment_id", d.promoted_from->deployment_id}};
  }
  if (d.canary) json["canary"] = true;
  if (!d.canary_steps.empty()) json["canary_steps"] = d.canary_steps;
  if (!d.analysis.is_null()) json["analysis"] = d.analysis;
  if (!d.env_source.empty()) {
    json["env_source"] = d.env_source;
    json["env_changed"] = d.env_changed;
  }
  if (with_events) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : d.events) events.push_back(to_json(e));
    json["events"] = std::move(events);
  }
  return json;
}

Deployment deployment_from_json(const nlohmann::json& json) {
  Deployment d;
  d.id = json.at("id").get<std::string>();
  d.app = json.at("app").get<std::string>();
  d.env = json.at("env").get<std::string>();
  d.kind = enum_field(json, "kind", kKinds);
  d.version = json.at("version").get<std::string>();
  d.dry_run = json.value("dry_run", false);
  d.actor = string_or_empty(json, "actor");
  d.idempotency_key = string_or_empty(json, "idempotency_key");
  d.state = enum_field(json, "state", kStates);
  d.phase = enum_field(json, "phase", kPhases);
  d.created_at = time_field(json, "created_at");
  if (json.contains("ended_at")) d.ended_at = time_field(json, "ended_at");
  for (const auto& p : json.value("phases", nlohmann::json::array())) {
    PhaseRecord record{enum_field(p, "phase", kPhases), time_field(p, "started"), std::nullopt};
    if (p.contains("ended")) record.ended = time_field(p, "ended");
    d.phases.push_back(record);
  }
  d.color = string_or_empty(json, "color");
  d.previous_version = string_or_empty(json, "previous_version");
  d.previous_serving = json.value("previous_serving", true);
  d.error = string_or_empty(json, "error");
  d.env_source = string_or_empty(json, "env_source");
  d.env_changed = json.value("env_changed", false);
  if (auto it = json.find("plan"); it != json.end()) d.plan = *it;
  if (auto it = json.find("promoted_from"); it != json.end() && it->is_object()) {
    d.promoted_from = PromotedFrom{string_or_empty(*it, "env"), string_or_empty(*it, "deployment_id")};
  }
  d.canary = json.value("canary", false);
  d.canary_steps = string_or_empty(json, "canary_steps");
  if (auto it = json.find("analysis"); it != json.end()) d.analysis = *it;
  for (const auto& e : json.value("events", nlohmann::json::array())) {
    d.events.push_back(event_from_json(e));
  }
  return d;
}

}  // namespace fical::proto
