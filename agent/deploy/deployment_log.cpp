#include "agent/deploy/deployment_log.hpp"

#include <spdlog/spdlog.h>

namespace fical::agent::deploy {

DeploymentLog::DeploymentLog(proto::Deployment initial, store::StateStore& store)
    : id_(initial.id), store_(store), record_(std::move(initial)) {
  std::lock_guard lock(mutex_);
  store_.check_room();  // a full disk refuses the deployment before anything is written
  store_.save_deployment(record_);
  stored_events_ = record_.events.size();
  committed_ = {0, header_locked(), stored_events_};
}

proto::Deployment DeploymentLog::header_locked() {
  // The record without its events, which are not copied: set aside and put back.
  struct Aside {
    std::vector<proto::Event>& events;
    std::vector<proto::Event> kept;
    ~Aside() { kept.swap(events); }
  } aside{record_.events, {}};
  aside.kept.swap(record_.events);
  return record_;
}

void DeploymentLog::persist_locked() {
  // The row and the new events, committed by the store's commit thread with others.
  auto ticket = store_.queue_events(record_, stored_events_);
  stored_events_ = record_.events.size();
  queued_.push_back({ticket, header_locked(), stored_events_});
}

void DeploymentLog::catch_up_locked() const {
  auto committed = store_.committed();
  while (!queued_.empty() && queued_.front().ticket <= committed) {
    committed_ = std::move(queued_.front());
    queued_.pop_front();
  }
}

proto::Phase DeploymentLog::current_phase() const {
  std::lock_guard lock(mutex_);
  return record_.phase;
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

void DeploymentLog::set_analysis(nlohmann::json analysis, bool persist) {
  std::lock_guard lock(mutex_);
  record_.analysis = std::move(analysis);
  if (persist) persist_locked();
}

nlohmann::json DeploymentLog::analysis() const {
  std::lock_guard lock(mutex_);
  return record_.analysis;
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
  try {
    // Committed before it returns (with everything queued before it): an ended deployment
    // is durable before anything is told so.
    store_.append_events(record_, stored_events_);
    stored_events_ = record_.events.size();
    queued_.clear();
    committed_ = {store_.committed(), header_locked(), stored_events_};
  } catch (const std::exception& e) {
    // Kept queued: the commit thread retries until the disk takes it.
    spdlog::error("deployment {}: cannot save its end: {}", id_, e.what());
    persist_locked();
  }
}

proto::Deployment DeploymentLog::snapshot(bool with_events) const {
  std::lock_guard lock(mutex_);
  catch_up_locked();
  proto::Deployment copy = committed_.header;
  if (with_events) copy.events.assign(record_.events.begin(), record_.events.begin() + committed_.events);
  return copy;
}

bool DeploymentLog::ended() const {
  std::lock_guard lock(mutex_);
  return proto::is_terminal(record_.state);
}

EventsPage DeploymentLog::events_since(std::uint64_t from) const {
  std::lock_guard lock(mutex_);
  catch_up_locked();
  EventsPage page;
  page.state = committed_.header.state;
  page.ended = proto::is_terminal(committed_.header.state);
  for (auto i = from; i < committed_.events; ++i) page.events.push_back(record_.events[i]);
  return page;
}

}  // namespace fical::agent::deploy
