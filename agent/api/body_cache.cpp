#include "agent/api/body_cache.hpp"

namespace fical::agent::api {

std::optional<std::string> BodyCache::find(const std::string& scope, const std::string& key) const {
  if (key.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(scope);
  if (it == entries_.end() || it->second.key != key) return std::nullopt;
  return it->second.body;
}

void BodyCache::store(const std::string& scope, const std::string& key, const std::string& body) {
  if (key.empty()) return;
  std::lock_guard lock(mutex_);
  entries_[scope] = {key, body};
}

}  // namespace fical::agent::api
