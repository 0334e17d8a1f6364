// StateStore: the canary in progress per environment, one row of canary_state each.
#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"

namespace fical::agent::store {

nlohmann::json to_json(const CanaryState& s) {
  return {{"deployment_id", s.deployment_id},
          {"canary_color", s.canary_color},
          {"canary_version", s.canary_version},
          {"stable_color", s.stable_color},
          {"stable_version", s.stable_version},
          {"step", s.step},
          {"steps", s.steps},
          {"weight", s.weight},
          {"step_length_ms", s.step_length_ms},
          {"step_started", proto::format_time(s.step_started)},
          {"verdict", s.verdict},
          {"resume", s.resume ? proto::to_json(*s.resume) : nlohmann::json(nullptr)}};
}

CanaryState canary_state_from_json(const nlohmann::json& json) {
  CanaryState s;
  s.deployment_id = json.at("deployment_id").get<std::string>();
  s.canary_color = json.at("canary_color").get<std::string>();
  s.canary_version = json.value("canary_version", "");
  s.stable_color = json.at("stable_color").get<std::string>();
  s.stable_version = json.value("stable_version", "");
  s.step = json.value("step", 0);
  s.steps = json.value("steps", 0);
  s.weight = json.value("weight", 0);
  s.step_length_ms = json.value("step_length_ms", std::int64_t{0});
  if (auto started = proto::parse_time(json.value("step_started", ""))) s.step_started = *started;
  if (auto it = json.find("verdict"); it != json.end()) s.verdict = *it;
  if (auto it = json.find("resume"); it != json.end() && it->is_object()) s.resume = proto::release_from_json(*it);
  return s;
}

void StateStore::save_canary(const std::string& app, const std::string& env, const CanaryState& state) {
  auto body = to_json(state).dump();
  write_with_queue([&] {
    writer_->prepare("INSERT OR REPLACE INTO canary_state (app, env, body) VALUES (?1, ?2, ?3)")
        .bind(1, app)
        .bind(2, env)
        .bind(3, body)
        .run();
  });
}

std::optional<CanaryState> StateStore::load_canary(const std::string& app, const std::string& env) {
  auto db = reader();
  auto row = db->prepare("SELECT body FROM canary_state WHERE app = ?1 AND env = ?2");
  row.bind(1, app).bind(2, env);
  if (!row.step()) return std::nullopt;
  return canary_state_from_json(nlohmann::json::parse(row.text(0)));
}

void StateStore::clear_canary(const std::string& app, const std::string& env) {
  write_with_queue([&] {
    writer_->prepare("DELETE FROM canary_state WHERE app = ?1 AND env = ?2").bind(1, app).bind(2, env).run();
  });
}

}  // namespace fical::agent::store
