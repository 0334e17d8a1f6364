#include "agent/deploy/env_locks.hpp"

namespace fical::agent::deploy {
namespace {

std::string key_of(const std::string& app, const std::string& env) { return app + "/" + env; }

}  // namespace

EnvLease::EnvLease(EnvLease&& other) noexcept
    : locks_(other.locks_), key_(std::move(other.key_)), holder_(std::move(other.holder_)) {
  other.locks_ = nullptr;
}

EnvLease& EnvLease::operator=(EnvLease&& other) noexcept {
  if (this != &other) {
    release();
    locks_ = other.locks_;
    key_ = std::move(other.key_);
    holder_ = std::move(other.holder_);
    other.locks_ = nullptr;
  }
  return *this;
}

void EnvLease::release() noexcept {
  if (!locks_) return;
  locks_->release(key_, holder_);
  locks_ = nullptr;
}

std::variant<EnvLease, HeldBy> EnvLocks::try_take(const std::string& app, const std::string& env,
                                                  const std::string& holder_id) {
  auto key = key_of(app, env);
  std::lock_guard lock(mutex_);
  auto [it, taken] = running_.emplace(key, holder_id);
  if (!taken) return HeldBy{it->second};
  return EnvLease(*this, std::move(key), holder_id);
}

std::optional<std::string> EnvLocks::holder(const std::string& app, const std::string& env) const {
  std::lock_guard lock(mutex_);
  auto it = running_.find(key_of(app, env));
  if (it == running_.end()) return std::nullopt;
  return it->second;
}

void EnvLocks::free_ended(const std::string& app, const std::string& env, const std::string& holder_id) {
  release(key_of(app, env), holder_id);
}

void EnvLocks::release(const std::string& key, const std::string& holder_id) noexcept {
  std::lock_guard lock(mutex_);
  auto it = running_.find(key);
  if (it != running_.end() && it->second == holder_id) running_.erase(it);
}

}  // namespace fical::agent::deploy
