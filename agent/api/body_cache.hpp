#pragma once
// The last JSON body of an answer, reused while what it was made from is unchanged (the
// service's cache key for it). Status is the agent's hottest route; its JSON was most of
// its cost.
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace fical::agent::api {

/// One body per scope (an app/env: bounded by the configuration). Thread-safe (one mutex).
class BodyCache {
 public:
  /// The body stored for `scope` under `key`, if that is the key it was stored with.
  std::optional<std::string> find(const std::string& scope, const std::string& key) const;
  /// Replaces what `scope` held. An empty key stores nothing.
  void store(const std::string& scope, const std::string& key, const std::string& body);

 private:
  struct Entry {
    std::string key;
    std::string body;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace fical::agent::api
