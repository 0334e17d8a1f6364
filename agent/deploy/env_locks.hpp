#pragma once
// Which environments have a deployment (or housekeeping) running: one holder per
// environment at a time, held through an EnvLease that gives the environment back when
// it is destroyed, however its holder's work ends.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

namespace fical::agent::deploy {

class EnvLocks;

/// One environment held for one holder id until release() or destruction. Movable, not
/// copyable; an empty (moved-from or default) lease holds nothing. Not thread-safe itself;
/// it may be destroyed on any thread (EnvLocks locks inside).
class EnvLease {
 public:
  EnvLease() = default;
  EnvLease(EnvLease&& other) noexcept;
  EnvLease& operator=(EnvLease&& other) noexcept;
  EnvLease(const EnvLease&) = delete;
  EnvLease& operator=(const EnvLease&) = delete;
  ~EnvLease() { release(); }

  /// Gives the environment back now (idempotent).
  void release() noexcept;
  bool held() const { return locks_ != nullptr; }
  const std::string& holder() const { return holder_; }

 private:
  friend class EnvLocks;
  EnvLease(EnvLocks& locks, std::string key, std::string holder)
      : locks_(&locks), key_(std::move(key)), holder_(std::move(holder)) {}
  EnvLocks* locks_ = nullptr;
  std::string key_;     // "app/env"
  std::string holder_;  // the deployment id, or a housekeeping name
};

/// try_take's refusal: the environment is held by `holder`.
struct HeldBy {
  std::string holder;
};

/// app/env -> holder id. Lives only in the agent's memory, so a crash can never leave an
/// environment locked. Thread-safe (one mutex, never held while calling out). Must
/// outlive its leases.
class EnvLocks {
 public:
  /// The environment for `holder_id`, or who holds it.
  std::variant<EnvLease, HeldBy> try_take(const std::string& app, const std::string& env,
                                          const std::string& holder_id);
  std::optional<std::string> holder(const std::string& app, const std::string& env) const;
  /// Frees an environment whose holder `holder_id` has ended but not yet dropped its lease
  /// (a deployment's thread still finishing); that lease's release is then a no-op.
  void free_ended(const std::string& app, const std::string& env, const std::string& holder_id);

 private:
  friend class EnvLease;
  void release(const std::string& key, const std::string& holder_id) noexcept;

  mutable std::mutex mutex_;
  std::map<std::string, std::string> running_;  // "app/env" -> holder id
};

}  // namespace fical::agent::deploy
