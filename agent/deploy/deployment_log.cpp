#include "agent/deploy/deployment_log.hpp"

#include <spdlog/spdlog.h>

namespace fical::agent::deploy {

DeploymentLog::DeploymentLog(proto::Deployment initial, store::StateStore& store)
    : id_(initial.id), store_(store), record_(std::move(initial)) {
  std::lock_guard lock(mutex_);
  store_.save_deployment(record_);
  stored_events_ = record_.events.size();
}

void DeploymentLog::persist_locked() {
  try {
    store_.append_events(record_, stored_events_);  // the row, and the new events
    stored_events_ = record_.events.size();
  } catch (const std::exception& e) {
    // The deployment goes on; the record catches up on the next write.
    spdlog::error("deployment {}: cannot save its record: {}", id_, e.what());
  }
}

void DeploymentLog::enter_phase(proto::Phase phase) {
  std::lock_guard lock(mutex_);
  auto now = proto::now_ms();
  if (!record_.phases.empty() && !record_.phases.back().ended) record_.phases.back().ended = now;
  record_.phases.push_back({phase, now, std::nullopt});
  record_.phase = phase;
  record_.state = proto::DeploymentState::running;
  persist_locked();
}

void DeploymentLog::add_event(proto::EventLevel level, std::string message, nlohmann::json data) {
  std::lock_guard lock(mutex_);
  proto::Event event{record_.events.size(), proto::now_ms(), record_.phase, level, std::move(message),
                     std::move(data)};
  spdlog::info("deployment {} [{}] {}", id_, proto::to_string(event.phase), event.message);
  record_.events.push_back(std::move(event));
  persist_locked();
}

void DeploymentLog::info(std::string message, nlohmann::json data) {
  add_event(proto::EventLevel::info, std::move(message), std::move(data));
}
void DeploymentLog::warn(std::string message, nlohmann::json data) {
  add_event(proto::EventLevel::warn, std::move(message), std::move(data));
}
void DeploymentLog::error(std::string message, nlohmann::json data) {
  add_event(proto::EventLevel::error, std::move(message), std::move(data));
}

void DeploymentLog::set_plan(nlohmann::json plan, const std::string& color,
                             const std::string& previous_version) {
  std::lock_guard lock(mutex_);
  record_.plan = std::move(plan);
  record_.color = color;
  record_.previous_version = previous_version;
  persist_locked();
}

void DeploymentLog::set_previous_serving(bool serving) {
  std::lock_guard lock(mutex_);
  record_.previous_serving = serving;
  persist_locked();
}

void DeploymentLog::finish(proto::DeploymentState state, std::string reason) {
  std::lock_guard lock(mutex_);
  auto now = proto::now_ms();
  if (!record_.phases.empty() && !record_.phases.back().ended) record_.phases.back().ended = now;
  record_.state = state;
  record_.error = std::move(reason);
  record_.ended_at = now;
  persist_locked();
}

proto::Deployment DeploymentLog::snapshot(bool with_events) const {
  std::lock_guard lock(mutex_);
  proto::Deployment copy = record_;
  if (!with_events) copy.events.clear();
  return copy;
}

bool DeploymentLog::ended() const {
  std::lock_guard lock(mutex_);
  return proto::is_terminal(record_.state);
}

EventsPage DeploymentLog::events_since(std::uint64_t from) const {
  std::lock_guard lock(mutex_);
  EventsPage page;
  page.state = record_.state;
  page.ended = proto::is_terminal(record_.state);
  for (auto i = from; i < record_.events.size(); ++i) page.events.push_back(record_.events[i]);
  return page;
}

}  // namespace fical::agent::deploy
