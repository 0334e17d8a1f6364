#pragma once
// Sliding-window limit on authentication failures per peer.
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fical::agent::api {

/// Counts failures per key (a peer address) within a sliding window; a key with
/// `max_failures` failures inside the window is blocked until the oldest leaves it.
/// The caller passes the time, so tests inject their own clock. Memory is bounded:
/// at most `max_keys` keys are tracked (expired ones are pruned first, then the oldest).
/// Thread-safety: all methods lock an internal mutex.
class FailureLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  FailureLimiter(std::size_t max_failures, Duration window, std::size_t max_keys = 10'000);

  /// Zero when `key` may try now, else how long until it may.
  Duration retry_after(const std::string& key, TimePoint now);
  void record_failure(const std::string& key, TimePoint now);
  std::size_t tracked_keys();

 private:
  void forget_expired(std::deque<TimePoint>& failures, TimePoint now) const;
  void make_room(TimePoint now);

  std::size_t max_failures_;
  Duration window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<TimePoint>> failures_;
};

}  // namespace fical::agent::api
