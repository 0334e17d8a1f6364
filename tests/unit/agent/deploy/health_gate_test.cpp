#include "agent/deploy/health_gate.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace fical::agent::deploy;
using namespace std::chrono_literals;

namespace {

/// Time that passes only when the code under test sleeps.
class FakeClock : public Clock {
 public:
  time_point now() override { return now_; }
  void sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    now_ += d;
  }
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  time_point now_{};
};

auto never_cancelled = [] { return false; };

}  // namespace

TEST_CASE("the gate probes at once, then backs off from 100ms", "[deploy]") {
  FakeClock clock;
  int calls = 0;
  auto result = wait_until_ready([&] { return ++calls < 6 ? ProbeOutcome::not_yet("503") : ProbeOutcome::ready(); },
                                 {100ms, 1000ms, 60s}, clock, never_cancelled);
  CHECK(result.ready);
  CHECK(result.probes == 6);
  CHECK(clock.sleeps == std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 800ms, 1000ms});
  CHECK(result.waited == 2500ms);
}

TEST_CASE("the gate gives up at the deadline with the last probe's detail", "[deploy]") {
  FakeClock clock;
  auto result = wait_until_ready([] { return ProbeOutcome::not_yet("GET /health answered 404"); },
                                 {100ms, 2s, 5s}, clock, never_cancelled);
  CHECK_FALSE(result.ready);
  CHECK(result.detail == "not ready after 5000ms: GET /health answered 404");
  CHECK(result.waited == 5s);  // the last sleep is cut to the deadline
}

TEST_CASE("a fatal probe ends the gate at once", "[deploy]") {
  FakeClock clock;
  auto result = wait_until_ready([] { return ProbeOutcome::fatal("container exited with code 3"); },
                                 {100ms, 2s, 60s}, clock, never_cancelled);
  CHECK_FALSE(result.ready);
  CHECK(result.probes == 1);
  CHECK(clock.sleeps.empty());
  CHECK(result.detail == "container exited with code 3");
}

TEST_CASE("cancelling stops the gate at the next probe", "[deploy]") {
  FakeClock clock;
  int calls = 0;
  auto result = wait_until_ready([&] { ++calls; return ProbeOutcome::not_yet("starting"); },
                                 {100ms, 2s, 60s}, clock, [&] { return calls >= 3; });
  CHECK(result.cancelled);
  CHECK(calls == 3);
}
