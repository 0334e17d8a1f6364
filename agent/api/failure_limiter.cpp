#include "agent/api/failure_limiter.hpp"

#include <algorithm>

namespace fical::agent::api {

FailureLimiter::FailureLimiter(std::size_t max_failures, Duration window, std::size_t max_keys)
    : max_failures_(std::max<std::size_t>(1, max_failures)),
      window_(window),
      max_keys_(std::max<std::size_t>(1, max_keys)) {}

void FailureLimiter::forget_expired(std::deque<TimePoint>& failures, TimePoint now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

FailureLimiter::Duration FailureLimiter::retry_after(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return Duration::zero();
  forget_expired(it->second, now);
  if (it->second.size() < max_failures_) return Duration::zero();
  // Blocked until enough failures leave the window to fall below the limit.
  auto oldest_that_counts = it->second[it->second.size() - max_failures_];
  return oldest_that_counts + window_ - now;
}

void FailureLimiter::record_failure(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  if (!failures_.count(key) && failures_.size() >= max_keys_) make_room(now);
  auto& failures = failures_[key];
  forget_expired(failures, now);
  failures.push_back(now);
  while (failures.size() > max_failures_) failures.pop_front();
}

std::size_t FailureLimiter::tracked_keys() {
  std::lock_guard lock(mutex_);
  return failures_.size();
}

void FailureLimiter::make_room(TimePoint now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    forget_expired(it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  if (failures_.size() < max_keys_) return;
  auto oldest = std::min_element(failures_.begin(), failures_.end(), [](auto& a, auto& b) {
    return a.second.back() < b.second.back();
  });
  failures_.erase(oldest);
}

}  // namespace fical::agent::api
