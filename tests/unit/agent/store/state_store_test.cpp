#include "agent/store/state_store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "agent/store/atomic_file.hpp"
#include "agent/store/digest.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::store;
using namespace fical::proto;
namespace fs = std::filesystem;

namespace {

Release release(const std::string& version) {
  return {version, "blue", {{"web", "r/web:" + version, "sha256:1", "sha256:2"}}, "", "d-" + version, "ci", now_ms(),
          "", {}};
}

std::size_t count_files(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("atomic writes replace content and leave no temp files", "[store]") {
  fical::testing::TempDir tmp;
  auto path = tmp.path() / "f.json";
  write_file_atomic(path, "one");
  write_file_atomic(path, "two", 0600);
  CHECK(read_file(path) == "two");
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(count_files(tmp.path()) == 1);
  CHECK_FALSE(read_file(tmp.path() / "missing"));
  CHECK_THROWS_WITH(write_file_atomic(tmp.path() / "no-dir" / "f", "x"), Catch::Contains("no-dir"));
}

TEST_CASE("environment state, deployments and releases survive a restart", "[store]") {
  fical::testing::TempDir tmp;
  {
    StateStore store(tmp.path());
    EnvState state;
    state.live_color = "green";
    state.live = release("v2");
    state.in_flight_id = "d-3";
    state.in_flight_color = "blue";
    store.save_env("web", "prod", state);
    Deployment d;
    d.id = "d-3";
    d.app = "web";
    d.env = "prod";
    d.version = "v3";
    d.created_at = now_ms();
    d.events = {{0, now_ms(), Phase::pull, EventLevel::info, "pulling", nullptr}};
    store.save_deployment(d);
    store.save_releases("web", "prod", {release("v1"), release("v2")});
  }
  StateStore store(tmp.path());
  auto state = store.load_env("web", "prod");
  CHECK(state.live_color == "green");
  CHECK(state.live->version == "v2");
  CHECK(state.in_flight_id == "d-3");
  auto d = store.load_deployment("d-3");
  REQUIRE(d);
  CHECK(d->events.at(0).message == "pulling");
  CHECK(store.load_releases("web", "prod").size() == 2);
  CHECK(store.load_deployments().size() == 1);
  CHECK(store.load_env("web", "staging").live_color.empty());
}

TEST_CASE("a second agent cannot use the same state directory", "[store]") {
  fical::testing::TempDir tmp;
  StateStore first(tmp.path());
  CHECK_THROWS_WITH(StateStore(tmp.path()), Catch::Contains("another fical-agent is using"));
}

TEST_CASE("env snapshots are root-only, survive a restart and are pruned by deployment", "[store]") {
  fical::testing::TempDir tmp;
  StateStore::EnvVars vars{{"DATABASE_URL", "postgres://u:p@db/x"}, {"EMPTY", ""}, {"QUOTED", "a=\"b\"\n"}};
  std::string first_hash;
  {
    StateStore store(tmp.path());
    store.save_env_snapshot("web", "prod", "d-1", vars);
    store.save_env_snapshot("web", "prod", "d-2", {{"A", "1"}});
    first_hash = store.env_fingerprint("A=1\n");
    CHECK(first_hash.size() == 64);
    CHECK(store.env_fingerprint("A=1\n") == first_hash);
    CHECK(store.env_fingerprint("A=2\n") != first_hash);
    // Keyed: not the plain SHA-256, which would let anyone test guesses of a secret.
    CHECK(first_hash != fical::agent::store::sha256_hex("A=1\n"));
  }
  StateStore store(tmp.path());
  CHECK(store.load_env_snapshot("web", "prod", "d-1") == vars);
  CHECK_FALSE(store.load_env_snapshot("web", "staging", "d-1"));
  CHECK(store.env_fingerprint("A=1\n") == first_hash);  // the key is kept in state_dir
  auto file = tmp.path() / "env-snapshots" / "web" / "prod" / "d-1.json";
  CHECK((fs::status(file).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(tmp.path() / "env-hash.key").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  store.prune_env_snapshots("web", "prod", {"d-2"});
  CHECK_FALSE(store.load_env_snapshot("web", "prod", "d-1"));
  CHECK(store.load_env_snapshot("web", "prod", "d-2") == StateStore::EnvVars{{"A", "1"}});
}
