// Build mode end to end: a bare repository made with libgit2, the real deployment engine,
// the private dockerd building images (FROM the test image, nothing downloaded) and nginx.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "tests/integration/deploy/engine_harness.hpp"
#include "tests/support/events.hpp"
#include "tests/support/git_fixture.hpp"
#include "tests/support/load_generator.hpp"

using namespace fical;
using namespace fical::testing;
using proto::DeploymentState;
namespace fs = std::filesystem;

namespace {

std::string events_text(const proto::Deployment& d) {
  std::string text;
  for (const auto& e : d.events) text += "[" + std::string(proto::to_string(e.phase)) + "] " + e.message + "\n";
  return text + "error: " + d.error;
}

/// The data of every event of `d` of one kind.
std::vector<nlohmann::json> events_of(const proto::Deployment& d, std::string_view kind) {
  std::vector<nlohmann::json> found;
  for (const auto& e : d.events) {
    if (e.data.is_object() && e.data.value("event", "") == kind) found.push_back(e.data);
  }
  return found;
}

void require_succeeded(const proto::Deployment& d) {
  INFO(events_text(d));
  REQUIRE(d.state == DeploymentState::succeeded);
}

/// The app's tree at one version: a Dockerfile on the test image that serves `version`.
std::map<std::string, std::string> app_tree(const std::string& version, const std::string& extra_step = "") {
  return {{"app/Dockerfile", "FROM " + TestEnv::get().test_image + ":v1\nCOPY hello.txt /app/hello.txt\n" +
                                 extra_step + "ENV APP_VERSION=" + version + "\n"},
          {"app/hello.txt", "hello " + version + "\n"},
          {"README", "build-mode test app\n"}};
}

/// A bare origin repository and an engine whose app builds from it.
struct BuildModeSetup {
  explicit BuildModeSetup(const std::string& env_yaml = "")
      : harness{env_yaml, "build: { context: app }\n", "source: { repo: \"" + origin.url() + "\" }\n"} {}

  TempDir dir;
  GitFixture origin{dir.path() / "origin.git"};
  EngineHarness harness;

  ~BuildModeSetup() {
    try {  // containers first: an image in use cannot be removed
      agent::docker::ContainerFilters containers;
      containers.labels = {"fical.app=" + harness.app()};
      for (const auto& c : harness.docker().list_containers(containers)) harness.docker().remove_container(c.id, true);
      agent::docker::ImageFilters filters;
      filters.reference = "fical/" + harness.app() + "-web";
      for (const auto& image : harness.docker().list_images(filters)) harness.docker().remove_image(image.id, true);
    } catch (...) {
    }
  }
  proto::Release live() {
    auto releases = std::get<std::vector<proto::Release>>(harness.manager().releases(harness.app(), "prod"));
    return releases.at(0);
  }
  fs::path tree(const std::string& commit) { return harness.store().dir() / "src" / harness.app() / commit; }
};

/// Every file under `dir` with its content and modification time.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    auto rel = entry.path().lexically_relative(dir).string();
    auto stamp = std::to_string(fs::last_write_time(entry.path()).time_since_epoch().count());
    std::string content;
    if (entry.is_regular_file()) {
      std::ifstream in(entry.path(), std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), {});
    }
    files[rel] = stamp + ":" + content;
  }
  return files;
}

}  // namespace

TEST_CASE("build mode deploys by tag, by branch and by short sha, and records the commit", "[build]") {
  BuildModeSetup s;
  auto c1 = s.origin.commit("main", app_tree("b1"));
  s.origin.tag("v1", c1, true);
  auto c2 = s.origin.commit("main", app_tree("b2"));
  auto c3 = s.origin.commit("feature", app_tree("b3"));
  auto& h = s.harness;

  // The dry run resolves the ref too: it shows the plan the deploy then runs.
  agent::DeployCommand preview{h.app(), "prod", {"v1", true}, {"test", "127.0.0.1"}, ""};
  auto dry = std::get<proto::Deployment>(h.manager().deploy(preview));
  auto by_tag = h.deploy("v1");
  require_succeeded(by_tag);
  INFO(dry.plan.dump(2));
  INFO(by_tag.plan.dump(2));
  CHECK(dry.plan["commit"] == c1);
  CHECK(by_tag.plan["containers"][0]["image"] == "fical/" + h.app() + "-web:" + c1);
  auto shown = dry.plan;
  shown.erase("pull");  // the dry run's registry and env previews, beside the plan
  shown.erase("env");
  CHECK(shown == by_tag.plan);
  CHECK(h.settled_on("b1"));
  CHECK(s.live().commit == c1);
  CHECK(s.live().images.at(0).image == "fical/" + h.app() + "-web:" + c1);
  CHECK(s.live().images.at(0).image_id.rfind("sha256:", 0) == 0);
  std::vector<proto::Phase> phases;
  for (const auto& p : by_tag.phases) phases.push_back(p.phase);
  using P = proto::Phase;
  // The commit is resolved first: the plan is made with it.
  CHECK(phases == std::vector<P>{P::resolve, P::preflight, P::build, P::migrate, P::start, P::health,
                                 P::switch_traffic, P::verify, P::done});
  auto resolved = event_data(by_tag, "source_resolved");
  REQUIRE(resolved);
  CHECK((*resolved)["kind"] == "tag");
  CHECK((*resolved)["commit"] == c1);
  auto steps = events_of(by_tag, "build_step");
  CHECK(std::any_of(steps.begin(), steps.end(), [](const nlohmann::json& step) {
    return step["service"] == "web" && step["step"] == "Step 2/5 : COPY hello.txt /app/hello.txt";
  }));
  // Tagged with the commit and the version asked for.
  CHECK(h.docker().inspect_image("fical/" + h.app() + "-web:v1"));

  require_succeeded(h.deploy("main"));
  CHECK(h.settled_on("b2"));
  CHECK(s.live().commit == c2);
  CHECK(s.live().version == "main");

  auto by_sha = h.deploy(c3.substr(0, 8));
  require_succeeded(by_sha);
  CHECK(h.settled_on("b3"));
  CHECK(s.live().commit == c3);
  auto by_sha_resolved = event_data(by_sha, "source_resolved");
  REQUIRE(by_sha_resolved);
  CHECK((*by_sha_resolved)["kind"] == "commit");
  CHECK((*by_sha_resolved)["commit"] == c3);

  // A rollback goes back to the exact commit of that release and builds nothing.
  auto back = h.rollback();
  require_succeeded(back);
  CHECK(h.settled_on("b2"));
  CHECK(s.live().commit == c2);
  CHECK(event_data(back, "image_already_built"));
  CHECK_FALSE(event_data(back, "image_built"));
}

TEST_CASE("build mode: the source tree of a commit no kept release uses is removed", "[build]") {
  BuildModeSetup s("retain: 2\n");
  std::vector<std::string> commits;
  for (const auto* version : {"t1", "t2", "t3"}) {
    commits.push_back(s.origin.commit("main", app_tree(version)));
    require_succeeded(s.harness.deploy(commits.back()));
    CHECK(fs::is_directory(s.tree(commits.back())));
  }
  CHECK_FALSE(fs::exists(s.tree(commits[0])));  // aged out of retain: 2
  CHECK(fs::is_directory(s.tree(commits[1])));  // the rollback target keeps its tree
  CHECK(fs::is_directory(s.tree(commits[2])));
}

TEST_CASE("build mode: a second deploy of the same commit builds nothing new", "[build]") {
  BuildModeSetup s;
  auto c1 = s.origin.commit("main", app_tree("b1"));
  s.origin.tag("v1", c1);
  auto& h = s.harness;
  auto first = h.deploy("v1");
  require_succeeded(first);
  auto image_id = s.live().images.at(0).image_id;
  auto built = event_data(first, "image_built");
  REQUIRE(built);
  CHECK((*built)["built"] == true);

  // The same commit under another name: the branch main, then the full sha.
  for (const std::string& version : {std::string("main"), c1}) {
    auto again = h.deploy(version);
    require_succeeded(again);
    INFO(events_text(again));
    auto reused = event_data(again, "image_already_built");
    REQUIRE(reused);
    CHECK((*reused)["built"] == false);
    CHECK(s.live().images.at(0).image_id == image_id);
    CHECK(events_of(again, "build_step").empty());
  }
  CHECK(h.settled_on("b1"));
}

TEST_CASE("build mode: a failing build leaves the live release serving", "[build]") {
  BuildModeSetup s;
  s.origin.commit("main", app_tree("b1"));
  auto& h = s.harness;
  require_succeeded(h.deploy("main"));
  REQUIRE(h.settled_on("b1"));
  s.origin.commit("main", app_tree("b2", "COPY no-such-file.txt /app/\n"));

  LoadGenerator load(h.nginx_port(), h.path());
  REQUIRE(load.wait_for_successes(20));
  auto broken = h.deploy("main");
  auto report = load.stop();
  INFO(report.summary());
  INFO(events_text(broken));
  CHECK(report.failed == 0);
  CHECK(report.bodies.size() == 1);
  CHECK(broken.state == DeploymentState::failed);
  CHECK_THAT(broken.error, Catch::Contains("the build of web failed") && Catch::Contains("no-such-file.txt") &&
                               Catch::Contains("main still serves"));
  CHECK(broken.previous_serving);
  CHECK(h.served() == "b1");
  CHECK(h.containers("web-green").empty());
  CHECK(s.live().version == "main");
}

TEST_CASE("build mode: an unreachable repository and an unknown ref are reported", "[build]") {
  BuildModeSetup s;
  auto c1 = s.origin.commit("main", app_tree("b1"));
  auto& h = s.harness;
  require_succeeded(h.deploy("main"));

  auto unknown = h.deploy("v9");
  INFO(events_text(unknown));
  CHECK(unknown.state == DeploymentState::failed);
  CHECK_THAT(unknown.error, Catch::Contains("\"v9\" is no tag, branch or commit"));

  fs::remove_all(s.origin.dir());
  auto unreachable = h.deploy("main");
  INFO(events_text(unreachable));
  CHECK(unreachable.state == DeploymentState::failed);
  CHECK_THAT(unreachable.error, Catch::Contains("fetching file://") && Catch::Contains("failed"));
  CHECK(h.served() == "b1");
  CHECK(s.live().commit == c1);
}

TEST_CASE("build mode: a live release's tree is never modified, a moved tag deploys its new commit", "[build]") {
  BuildModeSetup s;
  auto c1 = s.origin.commit("main", app_tree("b1"));
  s.origin.tag("v1", c1);
  auto& h = s.harness;
  require_succeeded(h.deploy("v1"));
  auto live_tree = s.tree(c1);
  REQUIRE(fs::exists(live_tree / "app" / "Dockerfile"));
  auto before = snapshot(live_tree);

  // The tag moves to a new commit: the deploy takes what it points to now and says so.
  auto c2 = s.origin.commit("main", app_tree("b2"));
  s.origin.tag("v1", c2);
  auto moved = h.deploy("v1");
  require_succeeded(moved);
  auto warning = event_data(moved, "tag_moved");
  REQUIRE(warning);
  CHECK((*warning)["moved_from"] == c1);
  CHECK((*warning)["commit"] == c2);
  CHECK(s.live().commit == c2);
  CHECK(h.settled_on("b2"));
  CHECK(snapshot(live_tree) == before);

  // Deploying the first commit again reuses its tree as it is.
  auto again = h.deploy(c1);
  require_succeeded(again);
  auto reused_tree = event_data(again, "source_resolved");
  REQUIRE(reused_tree);
  CHECK((*reused_tree)["tree_created"] == false);
  CHECK(snapshot(live_tree) == before);
  CHECK(snapshot(s.tree(c2)).size() == before.size());
}
