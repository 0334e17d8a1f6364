// Benchmark (not a test; run by scripts/bench/build-mode.sh): request-to-live of build-mode
// deploys beside a registry-mode deploy of the same app, one run each, same machine.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "tests/integration/deploy/engine_harness.hpp"
#include "tests/support/git_fixture.hpp"

using namespace fical;
using namespace fical::testing;

namespace {

std::map<std::string, std::string> tree(const std::string& version, const std::string& readme) {
  return {{"app/Dockerfile", "FROM " + TestEnv::get().test_image + ":v1\nCOPY hello.txt /app/hello.txt\nENV APP_VERSION=" +
                                 version + "\n"},
          {"app/hello.txt", "hello " + version + "\n"},
          {"README", readme}};
}

double timed_deploy(EngineHarness& h, const std::string& version, const std::string& expect) {
  auto start = std::chrono::steady_clock::now();
  auto d = h.deploy(version);
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (d.state != proto::DeploymentState::succeeded || !h.settled_on(expect)) {
    std::fprintf(stderr, "bench: deploy of %s did not go live: %s\n", version.c_str(), d.error.c_str());
    std::exit(1);
  }
  return ms;
}

}  // namespace

int main() {
  TempDir dir;
  GitFixture origin(dir.path() / "origin.git");
  origin.commit("main", tree("b0", "first\n"));
  // Both harnesses drain for 1 s: the same fixed cost in every number.
  EngineHarness built("", "build: { context: app }\n", "source: { repo: \"" + origin.url() + "\" }\n");
  EngineHarness pulled;
  timed_deploy(built, "main", "b0");  // warm up: mirror cloned, first build, first release
  timed_deploy(pulled, "v1", "v1");

  origin.commit("main", tree("b1", "first\n"));
  double cold = timed_deploy(built, "main", "b1");  // context changed: COPY and ENV rebuilt
  origin.commit("main", tree("b1", "second, outside the context\n"));
  double layer_cache = timed_deploy(built, "main", "b1");  // new commit, same context: Docker's cache
  double same_commit = timed_deploy(built, "main", "b1");  // same commit: no build at all
  double registry = timed_deploy(pulled, "v2", "v2");

  std::printf("build-mode bench: request to live (ms), one run each, drain 1 s included in all\n");
  std::printf("  %-48s %8.0f\n", "registry mode (pull v2)", registry);
  std::printf("  %-48s %8.0f  %.2fx registry\n", "build mode, context changed (cold build)", cold, cold / registry);
  std::printf("  %-48s %8.0f  %.2fx registry\n", "build mode, new commit, context unchanged (cache)", layer_cache,
              layer_cache / registry);
  std::printf("  %-48s %8.0f  %.2fx registry\n", "build mode, same commit again (nothing built)", same_commit,
              same_commit / registry);
  std::fflush(stdout);
  try {  // containers first: an image in use cannot be removed
    agent::docker::ContainerFilters containers;
    containers.labels = {"fical.app=" + built.app()};
    for (const auto& c : built.docker().list_containers(containers)) built.docker().remove_container(c.id, true);
    agent::docker::ImageFilters filters;
    filters.reference = "fical/" + built.app() + "-web";
    for (const auto& image : built.docker().list_images(filters)) built.docker().remove_image(image.id, true);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: cleanup: %s\n", e.what());
  }
  return 0;
}
