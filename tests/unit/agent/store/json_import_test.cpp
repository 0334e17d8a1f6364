// The JSON state dir of fical before SQLite (a fixture the file store of 1175b5b wrote, see
// fixtures/json-state-1175b5b.generator.cpp.txt) gives the same answers after its import.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent/store/state_store.hpp"
#include "tests/support/test_env.hpp"

using namespace fical::agent::store;
using namespace fical::proto;
namespace fs = std::filesystem;

namespace {

const fs::path kFixture = fs::path(FICAL_SOURCE_DIR) / "tests/unit/agent/store/fixtures/json-state-1175b5b";

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(std::ifstream(path)); }

/// What the file store answered, read from its files the way it read them.
struct Before {
  std::vector<Deployment> deployments;  // oldest first
  std::map<std::string, nlohmann::json> releases, envs;  // "app/env" -> file
};

Before read_before(const fs::path& dir) {
  Before before;
  for (const auto& f : fs::directory_iterator(dir / "deployments")) {
    before.deployments.push_back(deployment_from_json(read_json(f.path())));
  }
  std::sort(before.deployments.begin(), before.deployments.end(), [](const auto& a, const auto& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  for (const char* kind : {"releases", "envs"}) {
    for (const auto& app : fs::directory_iterator(dir / kind)) {
      for (const auto& f : fs::directory_iterator(app.path())) {
        auto key = app.path().filename().string() + "/" + f.path().stem().string();
        (std::string(kind) == "envs" ? before.envs : before.releases)[key] = read_json(f.path());
      }
    }
  }
  return before;
}

}  // namespace

TEST_CASE("a JSON state dir is imported once with the same answers", "[store][sqlite][import]") {
  fical::testing::TempDir tmp;
  auto dir = tmp.path() / "state";
  fs::copy(kFixture, dir, fs::copy_options::recursive);
  auto before = read_before(dir);
  REQUIRE(before.deployments.size() == 8);
  REQUIRE(before.envs.size() == 3);
  std::size_t events = 0, releases = 0;
  for (const auto& d : before.deployments) events += d.events.size();
  for (const auto& [key, json] : before.releases) releases += json["releases"].size();
  {
    StateStore store(dir);
    REQUIRE(store.imported());
    CHECK(store.imported()->deployments == before.deployments.size());
    CHECK(store.imported()->events == events);
    CHECK(store.imported()->releases == releases);
    CHECK(store.imported()->envs == before.envs.size());
    CHECK(store.imported()->snapshots == 3);
    CHECK(store.problems().empty());
    CHECK(store.check().empty());
    // The old files are kept aside, the snapshots (values) stay where rollbacks read them.
    auto kept = store.imported()->moved_to;
    CHECK(kept.parent_path() == dir);
    CHECK(kept.filename().string().rfind("imported-", 0) == 0);
    for (const char* sub : {"deployments", "envs", "releases"}) {
      CHECK_FALSE(fs::exists(dir / sub));
      CHECK(fs::is_directory(kept / sub));
    }
  }
  StateStore store(dir);  // a restart does not import again
  CHECK_FALSE(store.imported());
  // show, with events
  for (const auto& d : before.deployments) {
    auto after = store.load_deployment(d.id);
    REQUIRE(after);
    CHECK(to_json(*after) == to_json(d));
  }
  // history (limit 20 and 2), newest first, as DeploymentManager::deployments served it
  for (const auto& [key, json] : before.envs) {
    auto app = key.substr(0, key.find('/')), env = key.substr(key.find('/') + 1);
    for (std::size_t limit : {std::size_t{20}, std::size_t{2}}) {
      std::vector<nlohmann::json> expected, got;
      for (auto it = before.deployments.rbegin(); it != before.deployments.rend() && expected.size() < limit; ++it) {
        if (it->app == app && it->env == env) expected.push_back(to_json(*it, false));
      }
      for (const auto& d : store.deployments_of(app, env, limit)) got.push_back(to_json(d, false));
      CHECK(got == expected);
    }
    // env status's live release, and the releases list
    CHECK(to_json(store.load_env(app, env)) == to_json(env_state_from_json(json)));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : store.load_releases(app, env)) list.push_back(to_json(r));
    CHECK(list == before.releases.at(key)["releases"]);
  }
  // idempotency survives: the key of the fixture's second deployment
  CHECK(store.find_idempotent("web", "prod", "ci-run-42") == before.deployments[1].id);
  CHECK(store.load_env_snapshot("web", "prod", before.deployments[0].id));
}

TEST_CASE("an unreadable JSON file is reported and the rest is imported", "[store][sqlite][import]") {
  fical::testing::TempDir tmp;
  auto dir = tmp.path() / "state";
  fs::copy(kFixture, dir, fs::copy_options::recursive);
  std::ofstream(dir / "deployments" / "broken.json") << "{\"id\": \"bro";
  StateStore store(dir);
  REQUIRE(store.imported());
  CHECK(store.imported()->deployments == 8);
  REQUIRE(store.problems().size() == 1);
  CHECK_THAT(store.problems()[0], Catch::Contains("broken.json"));
  CHECK(fs::exists(store.imported()->moved_to / "deployments" / "broken.json"));
}
