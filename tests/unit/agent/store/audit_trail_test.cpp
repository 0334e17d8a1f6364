// The audit trail in fical.db and the group commit of events, against a real SQLite file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent/store/sqlite.hpp"
#include "agent/store/state_store.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::store;
using namespace fical::proto;
namespace fs = std::filesystem;

namespace {

TimePoint at(int days) { return *parse_time("2026-11-01T10:00:00.000Z") + std::chrono::hours(24) * days; }

nlohmann::json audit_record(int n, TimePoint time) {
  return {{"time", format_time(time)}, {"action", "POST /v1/x"}, {"target", "/v1/x/" + std::to_string(n)},
          {"result", "accepted"}};
}

std::vector<std::string> targets(const std::vector<nlohmann::json>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.at("target").get<std::string>());
  return out;
}

Deployment running(const std::string& id) {
  Deployment d;
  d.id = id;
  d.app = "web";
  d.env = "prod";
  d.version = "v1";
  d.state = DeploymentState::running;
  d.created_at = now_ms();
  return d;
}

}  // namespace

TEST_CASE("queued events are committed in order and served once committed", "[store][sqlite][group-commit]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  auto d = running("d-1");
  store.save_deployment(d);
  StateStore::Ticket last = 0;
  for (std::uint64_t i = 0; i < 50; ++i) {
    d.events.push_back({i, now_ms(), Phase::pull, EventLevel::info, "e" + std::to_string(i), nullptr});
    auto ticket = store.queue_events(d, d.events.size() - 1);
    CHECK(ticket > last);
    last = ticket;
  }
  REQUIRE(store.wait_committed(last, std::chrono::seconds(10)));
  CHECK(store.committed() >= last);
  auto events = store.events_from("d-1", 0);
  REQUIRE(events.size() == 50);
  for (std::uint64_t i = 0; i < 50; ++i) CHECK(events[i].seq == i);
  CHECK(store.check().empty());
}

TEST_CASE("a synchronous write commits every write queued before it", "[store][sqlite][group-commit]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  auto d = running("d-2");
  store.save_deployment(d);
  StateStore::Ticket last = 0;
  for (std::uint64_t i = 0; i < 20; ++i) {
    d.events.push_back({i, now_ms(), Phase::pull, EventLevel::info, "e", nullptr});
    last = store.queue_events(d, d.events.size() - 1);
  }
  last = std::max(last, store.queue_audit(now_ms(), audit_record(1, now_ms())));
  Release r{"v1", "blue", {}, "", d.id, "ci", now_ms(), "", {}, {}};
  EnvState state;
  state.live_color = "blue";
  state.live = r;
  store.record_release("web", "prod", r, state);
  CHECK(store.committed() >= last);  // no waiting: the release's transaction took them
  CHECK(store.events_from("d-2", 0).size() == 20);
}

TEST_CASE("what is queued is committed before the store closes", "[store][sqlite][group-commit]") {
  fical::testing::TempDir tmp;
  {
    StateStore store(tmp.path());
    auto d = running("d-3");
    store.save_deployment(d);
    for (std::uint64_t i = 0; i < 200; ++i) {
      d.events.push_back({i, now_ms(), Phase::pull, EventLevel::info, "e", nullptr});
      store.queue_events(d, d.events.size() - 1);
      store.queue_audit(now_ms(), audit_record(static_cast<int>(i), now_ms()));
    }
  }
  StateStore store(tmp.path());
  CHECK(store.events_from("d-3", 0).size() == 200);
  CHECK(store.recent_audit(1000).size() == 200);
  CHECK(store.check().empty());
}

TEST_CASE("the audit trail serves the newest records oldest first", "[store][sqlite][audit]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  CHECK(store.recent_audit(10).empty());
  for (int i = 0; i < 12; ++i) store.queue_audit(at(0), audit_record(i, at(0)));
  // No wait needed: recent_audit waits for what was queued before it.
  CHECK(targets(store.recent_audit(3)) == std::vector<std::string>{"/v1/x/9", "/v1/x/10", "/v1/x/11"});
  CHECK(store.recent_audit(100).size() == 12);
  CHECK(store.dump()["audit"].size() == 12);
}

TEST_CASE("the audit trail keeps its own retention, by count and by age", "[store][sqlite][audit]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  for (int i = 0; i < 30; ++i) store.queue_audit(at(i), audit_record(i, at(i)));
  REQUIRE(store.flush(std::chrono::seconds(10)));
  Retention by_count{1000, 0, 20, 0};
  CHECK(store.prune_audit(by_count, 4, at(30)) == 4);  // in batches
  CHECK(store.prune_audit(by_count, 100, at(30)) == 6);
  CHECK(store.prune_audit(by_count, 100, at(30)) == 0);
  CHECK(store.recent_audit(100).front()["target"] == "/v1/x/10");
  Retention by_age{1000, 0, 0, 5};  // days 25..29 are younger than 5 days at day 30
  CHECK(store.prune_audit(by_age, 100, at(30)) == 15);
  CHECK(targets(store.recent_audit(100)).front() == "/v1/x/25");
  CHECK(store.prune_audit({1000, 0, 0, 0}, 100, at(1000)) == 0);  // no limits: keeps all
  Retention deployments_only{1, 1, 100000, 365};  // the deployments' retention is not the audit's
  CHECK(store.prune_deployments(deployments_only, 100, at(1000)) == 0);
  CHECK(store.recent_audit(100).size() == 5);
  CHECK(store.check().empty());
}

TEST_CASE("an audit.log and its rotations are imported once, oldest first", "[store][sqlite][audit][import]") {
  fical::testing::TempDir tmp;
  auto write = [&](const std::string& name, const std::vector<int>& ns, const std::string& extra = "") {
    std::ofstream out(tmp.path() / name);
    for (int n : ns) out << audit_record(n, at(n)).dump() << "\n";
    out << extra;
  };
  write("audit.log.2", {0, 1});
  write("audit.log.1", {2, 3}, "not json\n");
  write("audit.log", {4, 5}, R"({"time":"2026-11-06T10:00)");  // a torn last line
  {
    StateStore store(tmp.path());
    REQUIRE(store.imported());
    CHECK(store.imported()->audit == 6);
    CHECK(targets(store.recent_audit(100)) ==
          std::vector<std::string>{"/v1/x/0", "/v1/x/1", "/v1/x/2", "/v1/x/3", "/v1/x/4", "/v1/x/5"});
    CHECK(store.problems().size() == 1);  // the two lines not imported, said once
    CHECK_FALSE(fs::exists(tmp.path() / "audit.log"));
    CHECK_FALSE(fs::exists(tmp.path() / "audit.log.1"));
    auto moved = store.imported()->moved_to;
    CHECK(fs::exists(moved / "audit.log"));
    CHECK(fs::exists(moved / "audit.log.2"));
    CHECK(store.check().empty());
    store.queue_audit(at(9), audit_record(9, at(9)));
  }
  StateStore again(tmp.path());
  CHECK_FALSE(again.imported());
  CHECK(again.recent_audit(100).size() == 7);
}

TEST_CASE("an audit.log left by a crash after its import is not imported twice", "[store][sqlite][audit][import]") {
  fical::testing::TempDir tmp;
  {
    std::ofstream(tmp.path() / "audit.log") << audit_record(1, at(1)).dump() << "\n";
  }
  { StateStore store(tmp.path()); }
  // As if the agent died after the import's commit, before the files moved.
  {
    std::ofstream(tmp.path() / "audit.log") << audit_record(1, at(1)).dump() << "\n";
    Connection db(tmp.path() / "fical.db", Connection::Mode::read_write);
    CHECK(db.scalar_int("SELECT count(*) FROM audit") == 1);
  }
  StateStore store(tmp.path());
  CHECK(store.recent_audit(100).size() == 1);
  CHECK_FALSE(fs::exists(tmp.path() / "audit.log"));
}

TEST_CASE("state check reports an audit row that is not a record", "[store][sqlite][audit]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  store.queue_audit(at(0), audit_record(0, at(0)));
  REQUIRE(store.flush(std::chrono::seconds(10)));
  {
    Connection db(tmp.path() / "fical.db", Connection::Mode::read_write);
    db.exec("INSERT INTO audit (time, body) VALUES (0, 'torn {')");
  }
  auto problems = store.check();
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("audit record 2"));
}

TEST_CASE("env state is served from the writer's cache and follows every write", "[store][sqlite][cache]") {
  fical::testing::TempDir tmp;
  StateStore store(tmp.path());
  CHECK(store.load_env("web", "prod").live_color.empty());  // cached as empty
  EnvState blue;
  blue.live_color = "blue";
  blue.in_flight_id = "d-1";
  store.save_env("web", "prod", blue);
  CHECK(store.load_env("web", "prod").in_flight_id == "d-1");
  Release r{"v2", "green", {}, "", "d-2", "ci", now_ms(), "", {}, {}};
  EnvState green;
  green.live_color = "green";
  green.live = r;
  store.record_release("web", "prod", r, green);
  CHECK(store.load_env("web", "prod").live_color == "green");
  CHECK(store.load_env("web", "prod").live->version == "v2");
  CHECK(store.load_env("web", "staging").live_color.empty());
  StateStore inspect(tmp.path(), StateStore::Inspect{});  // reads the database itself
  CHECK(inspect.load_env("web", "prod").live->version == "v2");
  CHECK(inspect.load_env("web", "prod").in_flight_id.empty());
}
