#include "agent/deploy/deployment_log.hpp"

#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/test_env.hpp"

using namespace fical;
using agent::deploy::DeploymentLog;

namespace {
proto::Deployment fresh(const std::string& id) {
  proto::Deployment d;
  d.id = id;
  d.app = "web";
  d.env = "prod";
  d.version = "v2";
  d.created_at = proto::now_ms();
  return d;
}
}  // namespace

TEST_CASE("every event and phase is persisted, the start and the end before they return", "[deploy]") {
  testing::TempDir tmp;
  agent::store::StateStore store(tmp.path());
  DeploymentLog log(fresh("d-1"), store);
  CHECK(store.load_deployment("d-1")->state == proto::DeploymentState::pending);
  log.enter_phase(proto::Phase::pull);
  log.info("pulling r/web:v2", {{"bytes", 5}});
  REQUIRE(store.flush(std::chrono::seconds(10)));  // the commit thread's batch
  auto saved = store.load_deployment("d-1");
  CHECK(saved->state == proto::DeploymentState::running);
  CHECK(saved->phase == proto::Phase::pull);
  REQUIRE(saved->events.size() == 1);
  CHECK(saved->events[0].phase == proto::Phase::pull);
  log.enter_phase(proto::Phase::health);
  log.finish(proto::DeploymentState::failed, "health: /health answered 500");
  saved = store.load_deployment("d-1");  // no flush: the end is committed when finish returns
  CHECK(saved->state == proto::DeploymentState::failed);
  CHECK(saved->error == "health: /health answered 500");
  CHECK(saved->ended_at);
  CHECK(saved->phases.at(0).ended);
  CHECK(saved->phases.at(1).ended);
}

TEST_CASE("watchers page through events while they are written", "[deploy]") {
  testing::TempDir tmp;
  agent::store::StateStore store(tmp.path());
  DeploymentLog log(fresh("d-2"), store);
  std::thread writer([&] {
    log.enter_phase(proto::Phase::start);
    for (int i = 0; i < 50; ++i) log.info("event " + std::to_string(i));
    log.finish(proto::DeploymentState::succeeded);
  });
  std::uint64_t next = 0;
  bool ended = false;
  for (int spins = 0; !ended && spins < 100000; ++spins) {
    auto page = log.events_since(next);
    for (const auto& e : page.events) {
      REQUIRE(e.seq == next);
      ++next;
    }
    ended = page.ended;
  }
  writer.join();
  auto rest = log.events_since(next);
  CHECK(next + rest.events.size() == 50);
  CHECK(log.snapshot(false).events.empty());
  CHECK(log.snapshot().events.size() == 50);
}

TEST_CASE("watchers are shown only what the store has committed", "[deploy][group-commit]") {
  testing::TempDir tmp;
  agent::store::StateStore store(tmp.path());
  DeploymentLog log(fresh("d-3"), store);
  std::thread writer([&] {
    log.enter_phase(proto::Phase::pull);
    for (int i = 0; i < 300; ++i) log.info("event " + std::to_string(i));
    log.finish(proto::DeploymentState::succeeded);
  });
  bool ended = false;
  for (int spins = 0; !ended && spins < 1000000; ++spins) {
    auto page = log.events_since(0);
    auto shown = log.snapshot(false);
    // Read after what was shown: the store only grows, so it must hold all of it.
    auto stored = store.load_deployment("d-3");
    REQUIRE(stored);
    REQUIRE(stored->events.size() >= page.events.size());
    if (shown.state == proto::DeploymentState::running) REQUIRE(stored->state != proto::DeploymentState::pending);
    ended = page.ended;
    if (ended) REQUIRE(stored->state == proto::DeploymentState::succeeded);
  }
  writer.join();
  CHECK(ended);
  CHECK(log.events_since(0).events.size() == 300);
}
