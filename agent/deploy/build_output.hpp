#pragma once
// Build mode, pure parts: the fingerprint of a service's build settings, and a reader of
// the legacy builder's output that keeps events coarse and bounded.
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "agent/config/config.hpp"

namespace fical::agent::deploy {

/// Repository of the images build mode makes: "fical/<app>-<service>".
std::string built_image_repository(const std::string& app, const std::string& service);

/// A stable hex digest of the build settings (context, dockerfile, target, args): an image
/// built from the same commit with other settings is not reused.
std::string build_fingerprint(const config::BuildSpec& build);

/// Reads builder output as it streams: "Step n/m : ..." lines become events (at most
/// `max_events`), the last `keep_lines` lines are kept for a failure's details.
class BuildProgress {
 public:
  explicit BuildProgress(std::size_t max_events = 200, std::size_t keep_lines = 40)
      : max_events_(max_events), keep_lines_(keep_lines) {}

  /// Feeds one chunk; returns the step lines to report now.
  std::vector<std::string> feed(const std::string& chunk);
  int steps() const { return steps_; }
  int cached_steps() const { return cached_; }
  std::vector<std::string> last_lines() const { return {last_.begin(), last_.end()}; }

 private:
  std::size_t max_events_;
  std::size_t keep_lines_;
  std::size_t reported_ = 0;
  int steps_ = 0;
  int cached_ = 0;
  std::string partial_;
  std::deque<std::string> last_;
};

}  // namespace fical::agent::deploy
