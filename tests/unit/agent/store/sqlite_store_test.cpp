// StateStore over a real SQLite file in a temp dir: indexed reads, one-transaction changes,
// migrations from every earlier schema version, retention, check, dump and backup.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <thread>

#include "agent/store/schema.hpp"
#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::store;
using namespace fical::proto;
namespace fs = std::filesystem;

namespace {

TimePoint at(int minutes) { return *parse_time("2026-11-01T10:00:00.000Z") + std::chrono::minutes(minutes); }

Deployment deployment(const std::string& id, const std::string& env, int minute,
                      DeploymentState state = DeploymentState::succeeded) {
  Deployment d;
  d.id = id;
  d.app = "web";
  d.env = env;
  d.version = "v-" + id;
  d.state = state;
  d.created_at = at(minute);
  return d;
}

Event event(std::uint64_t seq, const std::string& message) {
  return {seq, at(0), Phase::pull, EventLevel::info, message, {{"n", seq}}};
}

Release release_of(const Deployment& d) {
  return {d.version, "blue", {{"web", "r/web:" + d.version, "", ""}}, "", d.id, "ci", d.created_at, "", {}, {}};
}

std::vector<std::string> ids(const std::vector<Deployment>& list) {
  std::vector<std::string> out;
  for (const auto& d : list) out.push_back(d.id);
  return out;
}

}  // namespace

TEST_CASE("events are appended as rows and read from a seq", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  auto d = deployment("d-1", "prod", 0, DeploymentState::running);
  store.save_deployment(d);
  for (std::uint64_t i = 0; i < 5; ++i) {
    d.events.push_back(event(i, "step " + std::to_string(i)));
    d.phase = Phase::health;
    store.append_events(d, d.events.size() - 1);
  }
  CHECK(store.load_deployment("d-1")->events.size() == 5);
  CHECK(store.load_deployment("d-1")->phase == Phase::health);
  auto tail = store.events_from("d-1", 3);
  REQUIRE(tail.size() == 2);
  CHECK(tail[0].seq == 3);
  CHECK(tail[1].message == "step 4");
  CHECK(tail[1].data == nlohmann::json{{"n", 4}});
  CHECK(store.load_deployment_header("d-1")->events.empty());
  CHECK(store.events_from("d-1", 5).empty());
  CHECK(store.events_from("missing", 0).empty());
  CHECK(ids(store.unfinished_deployments()) == std::vector<std::string>{"d-1"});
  d.state = DeploymentState::failed;
  store.append_events(d, d.events.size());  // the row only
  CHECK(store.unfinished_deployments().empty());
  CHECK(store.load_deployment("d-1")->events.size() == 5);
  CHECK(store.check().empty());
}

TEST_CASE("history by env is newest first with a limit, and idempotency keys are found", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  for (int i = 0; i < 30; ++i) store.save_deployment(deployment("p" + std::to_string(100 + i), i % 3 ? "prod" : "staging", i));
  auto newest = store.deployments_of("web", "prod", 4);
  CHECK(ids(newest) == std::vector<std::string>{"p129", "p128", "p126", "p125"});
  CHECK(store.deployments_of("web", "staging", 100).size() == 10);
  CHECK(store.deployments_of("api", "prod", 100).empty());
  auto keyed = deployment("k-1", "prod", 40);
  keyed.idempotency_key = "ci-7";
  store.save_deployment(keyed);
  auto dry = deployment("k-2", "prod", 41);
  dry.idempotency_key = "ci-8";
  dry.dry_run = true;
  store.save_deployment(dry);
  CHECK(store.find_idempotent("web", "prod", "ci-7") == "k-1");
  CHECK_FALSE(store.find_idempotent("web", "staging", "ci-7"));
  CHECK_FALSE(store.find_idempotent("web", "prod", "ci-8"));  // a dry run changed nothing
  CHECK_FALSE(store.find_idempotent("web", "prod", ""));
}

TEST_CASE("a release and the env state are recorded together", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  {
    StateStore store(tmp.path());
    auto first = deployment("d-1", "prod", 0);
    auto second = deployment("d-2", "prod", 1);
    store.save_deployment(first);
    store.save_deployment(second);
    EnvState state;
    state.live_color = "blue";
    state.live = release_of(first);
    store.record_release("web", "prod", release_of(first), state);
    state.live = release_of(second);
    state.warm_color = "blue";
    state.warm_until = at(30);
    store.record_release("web", "prod", release_of(second), state);
    CHECK(store.check().empty());
  }
  StateStore store(tmp.path());
  auto history = store.load_releases("web", "prod");
  REQUIRE(history.size() == 2);
  CHECK(history[0].deployment_id == "d-1");
  CHECK(history[1].deployment_id == "d-2");
  auto state = store.load_env("web", "prod");
  CHECK(state.live->deployment_id == "d-2");
  CHECK(state.warm_until == at(30));
  // The invariant `state check` holds to: the live release is the newest of the history.
  store.save_releases("web", "prod", {history[1], history[0]});
  auto problems = store.check();
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("web/prod"));
}

TEST_CASE("a database of every earlier schema version migrates to the current one", "[store][sqlite]") {
  for (int version = 0; version < current_schema_version(); ++version) {
    CAPTURE(version);
    fical::testing::TempDir tmp;
    {
      Connection db(tmp.path() / "fical.db", Connection::Mode::read_write);
      migrate_to(db, version);
      CHECK(schema_version(db) == version);
      if (version >= 1) {  // the rows version 1 wrote
        auto d = deployment("old-1", "prod", 0);
        db.prepare("INSERT INTO deployments (id, app, env, created_at, state, idempotency_key, record) "
                   "VALUES ('old-1', 'web', 'prod', ?1, 'succeeded', 'key-1', ?2)")
            .bind(1, static_cast<std::int64_t>(d.created_at.time_since_epoch().count()))
            .bind(2, to_json(d, false).dump())
            .run();
        db.prepare("INSERT INTO events (deployment_id, seq, body) VALUES ('old-1', 0, ?1)")
            .bind(1, to_json(event(0, "from v1")).dump())
            .run();
      }
    }
    StateStore store(tmp.path());
    Connection db(tmp.path() / "fical.db", Connection::Mode::read_only);
    CHECK(schema_version(db) == current_schema_version());
    CHECK(store.check().empty());
    if (version >= 1) {
      CHECK(store.load_deployment("old-1")->events.at(0).message == "from v1");
      CHECK(ids(store.deployments_of("web", "prod", 20)) == std::vector<std::string>{"old-1"});
      CHECK(store.find_idempotent("web", "prod", "key-1") == "old-1");
    }
    // Version 4's maintenance table and the verify secret, whatever the database came from.
    CHECK_FALSE(store.load_maintenance("web", "prod"));
    store.save_maintenance("web", "prod", {"back soon", 120, at(3), "ssm-deploy"});
    CHECK(store.load_maintenance("web", "prod")->message == "back soon");
    CHECK(store.verify_secret().size() == 32);
    // Version 5's canary_state: empty after the migration, and it keeps a canary.
    CHECK_FALSE(store.load_canary("web", "prod"));
    CanaryState canary;
    canary.deployment_id = "d-1";
    canary.canary_color = "green";
    canary.stable_color = "blue";
    canary.step = 1;
    canary.weight = 50;
    canary.verdict = {{"outcome", "pass"}};
    store.save_canary("web", "prod", canary);
    auto loaded = store.load_canary("web", "prod");
    REQUIRE(loaded);
    CHECK(loaded->weight == 50);
    CHECK(loaded->step == 1);
    CHECK(loaded->verdict["outcome"] == "pass");
    store.clear_canary("web", "prod");
    CHECK_FALSE(store.load_canary("web", "prod"));
  }
}

TEST_CASE("maintenance and the verify secret survive a restart and off removes the row", "[store][sqlite][maintenance]") {
  fical::testing::TempDir tmp;
  std::string secret;
  {
    StateStore store(tmp.path());
    secret = store.verify_secret();
    CHECK(secret == store.verify_secret());
    store.save_maintenance("web", "prod", {"Back at 14:00", 1800, at(5), "ssm-deploy"});
    store.save_maintenance("web", "staging", {"", 60, at(6), "ci"});
    store.clear_maintenance("web", "staging");
  }
  CHECK(secret.size() == 32);
  CHECK(std::all_of(secret.begin(), secret.end(), [](unsigned char c) { return std::isalnum(c); }));
  StateStore store(tmp.path());
  CHECK(store.verify_secret() == secret);
  auto m = store.load_maintenance("web", "prod");
  REQUIRE(m);
  CHECK(m->message == "Back at 14:00");
  CHECK(m->retry_after_seconds == 1800);
  CHECK(m->since == at(5));
  CHECK(m->by == "ssm-deploy");
  CHECK_FALSE(store.load_maintenance("web", "staging"));
  CHECK(store.dump().dump().find(secret) == std::string::npos);  // never in a dump
  CHECK(store.check().empty());
}

TEST_CASE("a database newer than the agent is refused", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  {
    Connection db(tmp.path() / "fical.db", Connection::Mode::read_write);
    migrate(db);
    db.exec("UPDATE schema_version SET version = " + std::to_string(current_schema_version() + 1));
  }
  CHECK_THROWS_WITH(StateStore(tmp.path()), Catch::Contains("newer than this agent"));
}

TEST_CASE("retention keeps the newest per env, young ones, and every released or running one", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  for (int i = 0; i < 10; ++i) {
    auto d = deployment("a" + std::to_string(i), "prod", i * 60 * 24);  // one a day
    d.events = {event(0, "x"), event(1, "y")};
    store.save_deployment(d);
  }
  store.save_deployment(deployment("run", "prod", -1, DeploymentState::running));
  for (int i = 0; i < 3; ++i) store.save_deployment(deployment("s" + std::to_string(i), "staging", i));
  store.save_releases("web", "prod", {release_of(deployment("a1", "prod", 0))});
  Retention keep{4, 0};
  // In batches: 10 + 1 in prod, 4 newest kept, a1 (released) and the running one never deleted.
  CHECK(store.prune_deployments(keep, 2, at(0)) == 2);
  CHECK(store.prune_deployments(keep, 100, at(0)) == 3);
  CHECK(store.prune_deployments(keep, 100, at(0)) == 0);
  CHECK(ids(store.deployments_of("web", "prod", 100)) ==
        std::vector<std::string>{"a9", "a8", "a7", "a6", "a1", "run"});
  CHECK(store.deployments_of("web", "staging", 100).size() == 3);
  CHECK(store.events_from("a0", 0).empty());  // events go with their deployment
  CHECK(store.events_from("a9", 0).size() == 2);
  // By age: older than 2 days at day 9.5 goes, whatever the count (a6, a7 and staging's 3).
  CHECK(store.prune_deployments({0, 2}, 100, at(9 * 60 * 24 + 12 * 60)) == 5);
  CHECK(ids(store.deployments_of("web", "prod", 100)) == std::vector<std::string>{"a9", "a8", "a1", "run"});
  CHECK(store.deployments_of("web", "staging", 100).empty());
  CHECK(store.prune_deployments({0, 0}, 100, at(100000)) == 0);  // no limits: keeps all
  CHECK(store.check().empty());
}

TEST_CASE("the background pruner deletes in batches until the retention holds", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  for (int i = 0; i < 450; ++i) store.save_deployment(deployment("b" + std::to_string(1000 + i), "prod", i));
  store.start_pruning({10, 0}, std::chrono::milliseconds(20));
  for (int i = 0; i < 200 && store.deployments_of("web", "prod", 1000).size() > 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto kept = store.deployments_of("web", "prod", 1000);
  REQUIRE(kept.size() == 10);
  CHECK(kept.front().id == "b1449");
}

TEST_CASE("state dump holds every record and state backup is a consistent copy", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  auto d = deployment("d-1", "prod", 0);
  d.events = {event(0, "a"), event(1, "b")};
  store.save_deployment(d);
  EnvState state;
  state.live_color = "blue";
  state.live = release_of(d);
  store.record_release("web", "prod", release_of(d), state);
  store.save_env_snapshot("web", "prod", "d-1", {{"SECRET", "hunter2"}});
  auto dump = store.dump();
  CHECK(dump["deployments"].size() == 1);
  CHECK(dump["deployments"][0]["events"].size() == 2);
  CHECK(dump["environments"][0]["releases"].size() == 1);
  CHECK(dump["environments"][0]["env_snapshots"] == nlohmann::json::array({"d-1"}));
  CHECK(dump.dump().find("hunter2") == std::string::npos);  // values stay in their files
  auto copy = tmp.path() / "backup" / "copy.db";
  fs::create_directories(copy.parent_path());
  store.backup(copy);
  fs::copy(tmp.path() / "env-snapshots", copy.parent_path() / "env-snapshots", fs::copy_options::recursive);
  fs::rename(copy, copy.parent_path() / "fical.db");
  StateStore restored(copy.parent_path());
  CHECK(restored.dump() == dump);
  CHECK(restored.check().empty());
}

TEST_CASE("state check reports events with a gap and of a missing deployment", "[store][sqlite]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  auto d = deployment("d-1", "prod", 0);
  d.events = {event(0, "a"), event(1, "b"), event(2, "c")};
  store.save_deployment(d);
  {
    Connection db(tmp.path() / "fical.db", Connection::Mode::read_write);
    db.exec("DELETE FROM events WHERE seq = 1");
    db.exec("INSERT INTO events (deployment_id, seq, body) VALUES ('ghost', 0, '{}')");
  }
  auto problems = store.check();
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0] + problems[1], Catch::Contains("ghost") && Catch::Contains("d-1"));
}
