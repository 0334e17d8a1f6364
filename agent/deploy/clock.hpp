#pragma once
// Time as the engine sees it. Abstract so health-gate logic is tested without waiting.
#include <chrono>
#include <thread>

namespace fical::agent::deploy {

/// Monotonic time and sleeping.
class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

/// The real clock.
class SteadyClock : public Clock {
 public:
  time_point now() override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace fical::agent::deploy
