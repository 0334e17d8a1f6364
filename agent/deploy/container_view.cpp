#include "agent/deploy/container_view.hpp"

#include "agent/deploy/naming.hpp"

namespace fical::agent::deploy {

void ContainerView::refresh(docker::DockerEngine& docker, const std::string& app, const std::string& env) {
  docker::ContainerFilters filters;
  filters.labels = label_filters(app, env, "app");
  std::map<std::string, Entry> fresh;
  for (const auto& c : docker.list_containers(filters)) {
    auto label = [&](const char* key) { return label_value(c.labels, key); };
    Entry entry{.app = label(labels::kApp),
                .env = label(labels::kEnv),
                .status = {.service = label(labels::kService),
                           .color = label(labels::kColor),
                           .name = c.name,
                           .id = c.id.substr(0, 12),
                           .version = label(labels::kRelease),
                           .state = c.state}};
    if (c.state == "running") {
      if (auto info = docker.inspect_container(c.id)) entry.status.health = info->state.health.status;
    }
    fresh[c.name] = std::move(entry);
  }
  std::lock_guard lock(mutex_);
  for (auto it = by_name_.begin(); it != by_name_.end();) {
    bool in_scope = (app.empty() || it->second.app == app) && (env.empty() || it->second.env == env);
    it = in_scope ? by_name_.erase(it) : std::next(it);
  }
  by_name_.merge(fresh);
  answered_ = Clock::now();
  failed_ = false;
  ++generation_;
}

void ContainerView::docker_failed() {
  std::lock_guard lock(mutex_);
  failed_ = true;
  ++generation_;
}

std::uint64_t ContainerView::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::vector<proto::ContainerStatus> ContainerView::containers(const std::string& app, const std::string& env) const {
  std::lock_guard lock(mutex_);
  std::vector<proto::ContainerStatus> out;
  for (const auto& [name, entry] : by_name_) {
    if (entry.app == app && entry.env == env) out.push_back(entry.status);
  }
  return out;
}

proto::ContainersView ContainerView::freshness(std::chrono::milliseconds within) const {
  if (docker_answered_within(within)) return proto::ContainersView::current;
  std::lock_guard lock(mutex_);
  return answered_ ? proto::ContainersView::stale : proto::ContainersView::unknown;
}

bool ContainerView::docker_answered_within(std::chrono::milliseconds within) const {
  std::lock_guard lock(mutex_);
  return !failed_ && answered_ && Clock::now() - *answered_ <= within;
}

}  // namespace fical::agent::deploy
