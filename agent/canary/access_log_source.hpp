#pragma once
// Where a canary's access log lines come from: nginx's file through a LogFollower, or in
// unit tests a script. The executor's step loop polls it.
#include <memory>
#include <string>
#include <vector>

#include "agent/canary/log_follower.hpp"

namespace fical::agent::canary {

/// Lines appended since the last poll. Not thread-safe: the canary's loop owns it.
class AccessLogSource {
 public:
  virtual ~AccessLogSource() = default;
  virtual std::vector<std::string> poll() = 0;
};

/// nginx's access log, followed from its end as it is when this is made.
class FollowedAccessLog final : public AccessLogSource {
 public:
  explicit FollowedAccessLog(std::string path) : follower_(std::move(path)) {}
  std::vector<std::string> poll() override { return follower_.poll().lines; }

 private:
  LogFollower follower_;
};

}  // namespace fical::agent::canary
