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

TEST_CASE("after a probe finds the port closed, the gate probes as soon as it opens", "[deploy]") {
  FakeClock clock;
  auto start = clock.now();
  auto listening_at = start + 230ms;  // the app starts listening between two probes
  std::vector<std::chrono::milliseconds> probed_at;
  auto probe = [&] {
    probed_at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start));
    return clock.now() < listening_at ? ProbeOutcome::closed("connect: Connection refused") : ProbeOutcome::ready();
  };
  auto opened = [&] { return clock.now() >= listening_at; };
  auto result = wait_until_ready(probe, {100ms, 200ms, 60s}, clock, never_cancelled, opened);
  CHECK(result.ready);
  // Without the watch the probes would come at 0, 100, 300: readiness seen 70 ms late.
  CHECK(probed_at == std::vector<std::chrono::milliseconds>{0ms, 100ms, 230ms});
}

TEST_CASE("a port that is open but not ready yet is probed at the normal pace", "[deploy]") {
  FakeClock clock;
  int calls = 0;
  int watched = 0;
  auto result = wait_until_ready([&] { return ++calls < 4 ? ProbeOutcome::not_yet("503") : ProbeOutcome::ready(); },
                                 {100ms, 1000ms, 60s}, clock, never_cancelled, [&] { return ++watched > 0; });
  CHECK(result.ready);
  CHECK(watched == 0);  // the port is open: no early probe
  CHECK(clock.sleeps == std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms});
}
