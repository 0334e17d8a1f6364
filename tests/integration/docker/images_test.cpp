// Images against the real private dockerd and registries: pull (with and without registry
// auth), inspect, tag, list, prune, remove, build from a tar context.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent/docker/build_context.hpp"
#include "agent/docker/prune.hpp"
#include "tests/integration/docker/docker_test_env.hpp"

using namespace fical::agent::docker;
using namespace fical::testing;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("docker: negotiates the API version with the daemon", "[docker]") {
  auto info = docker().version();
  CHECK_FALSE(info.version.empty());
  CHECK_FALSE(info.api_version.empty());
  // min(ours, the daemon's): Debian's dockerd says 1.41, newer ones more than 1.44.
  auto expected = info.api_version < std::string("1.44") && info.api_version.size() == 4
                      ? info.api_version
                      : std::string(HttpDockerEngine::max_api_version);
  CHECK(info.negotiated_version == expected);
}

TEST_CASE("docker: info names the daemon's data-root, a directory on this host", "[docker]") {
  auto info = docker().info();
  // scripts/test-env.sh starts the private dockerd with --data-root <env dir>/docker-data.
  CHECK(std::filesystem::path(info.docker_root_dir).filename() == "docker-data");
  CHECK(std::filesystem::is_directory(info.docker_root_dir));
  CHECK_FALSE(info.storage_driver.empty());
}

TEST_CASE("docker: pulls from the local registry with progress and a RepoDigest", "[docker]") {
  const auto& env = TestEnv::get();
  std::vector<PullProgress> progress;
  docker().pull({env.test_image, "v2", {}}, [&](const PullProgress& p) {
    progress.push_back(p);
    return true;
  });
  REQUIRE_FALSE(progress.empty());
  bool saw_digest = false;
  for (const auto& p : progress) saw_digest |= starts_with(p.status, "Digest: sha256:");
  CHECK(saw_digest);
  auto image = docker().inspect_image(env.test_image + ":v2");
  REQUIRE(image);
  CHECK(starts_with(image->id, "sha256:"));
  REQUIRE_FALSE(image->repo_digests.empty());
  CHECK(starts_with(image->repo_digests.front(), env.test_image + "@sha256:"));
  CHECK(image->labels.at("org.opencontainers.image.title") == "fical-test-app");
}

TEST_CASE("docker: a pull of a missing tag fails with Docker's message", "[docker]") {
  try {
    docker().pull({TestEnv::get().test_image, "no-such-tag", {}}, {});
    FAIL("pull of a missing tag succeeded");
  } catch (const DockerError& e) {
    // Debian's 20.10 answers 404 before streaming; others put it in the stream.
    CHECK((e.kind() == DockerErrorKind::http || e.kind() == DockerErrorKind::stream));
    CHECK_THAT(e.what(), Catch::Contains("no-such-tag"));
  }
}

TEST_CASE("docker: pulls from a registry that needs a login", "[docker]") {
  const auto& auth = auth_registry();
  auto repo = auth.address + "/fical/test-app";
  SECTION("with the right credentials") {
    docker().pull({repo, "v1", RegistryAuth{auth.user, auth.password, auth.address}}, {});
    auto image = docker().inspect_image(repo + ":v1");
    REQUIRE(image);
    REQUIRE_FALSE(image->repo_digests.empty());
    bool from_auth_registry = false;
    for (const auto& d : image->repo_digests) from_auth_registry |= starts_with(d, repo + "@");
    CHECK(from_auth_registry);
  }
  SECTION("with a wrong password") {
    try {
      docker().pull({repo, "v1", RegistryAuth{auth.user, "wrong-password", auth.address}}, {});
      FAIL("pull with a wrong password succeeded");
    } catch (const DockerError& e) {
      CHECK((e.kind() == DockerErrorKind::http || e.kind() == DockerErrorKind::stream));
      CHECK_THAT(e.what(), Catch::Contains("unauthorized", Catch::CaseSensitive::No) ||
                               Catch::Contains("authentication", Catch::CaseSensitive::No));
    }
  }
  SECTION("without credentials") {
    CHECK_THROWS_AS(docker().pull({repo, "v1", {}}, {}), DockerError);
  }
}

TEST_CASE("docker: a callback returning false cancels the pull", "[docker]") {
  const auto& env = TestEnv::get();
  try {
    docker().pull({env.test_image, "v3", {}}, [](const PullProgress&) { return false; });
    FAIL("the pull was not cancelled");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::cancelled);
  }
  CHECK(docker().version().api_version.size() > 0);  // the client is still usable
}

TEST_CASE("docker: inspect of a missing image is empty, remove of one succeeds", "[docker]") {
  CHECK_FALSE(docker().inspect_image("fical-no-such-image:v0"));
  CHECK_NOTHROW(docker().remove_image("fical-no-such-image:v0", false));
}

TEST_CASE("docker: tags, lists and prunes an app's images beyond the kept tags", "[docker]") {
  auto source = test_image("v1");
  auto repo = unique_name("prune");
  for (auto tag : {"r1", "r2", "r3"}) docker().tag_image(source, repo, tag);
  ImageFilters filters;
  filters.reference = repo;
  auto listed = docker().list_images(filters);
  REQUIRE(listed.size() == 1);  // one image, three tags
  CHECK(listed.front().repo_tags.size() == 3);

  auto removed = prune_app_images(docker(), repo, {"r3"});
  CHECK(removed == std::vector<std::string>{repo + ":r1", repo + ":r2"});
  CHECK_FALSE(docker().inspect_image(repo + ":r1"));
  CHECK(docker().inspect_image(repo + ":r3"));
  CHECK(docker().inspect_image(source));  // the source tag is another repository
  docker().remove_image(repo + ":r3", false);
  CHECK(docker().list_images(filters).empty());
}

TEST_CASE("docker: builds an image from a tar context with args, labels and a target",
          "[docker]") {
  TempDir context;
  auto base = test_image("v1");
  write_file(context.path() / "Dockerfile",
             "FROM " + base + " AS base\nARG GREETING=none\nCOPY hello.txt /hello.txt\n"
             "RUN echo \"$GREETING\" > /greeting.txt\n"
             "FROM base AS final\nRUN false\n");
  write_file(context.path() / "hello.txt", "hello from the context\n");
  auto tag = unique_name("build") + ":v1";
  BuildOptions options;
  options.tags = {tag};
  options.target = "base";  // the failing "final" stage is never built
  options.buildargs = {{"GREETING", "hi-there"}};
  options.labels = {{"fical.test", "build"}};
  std::string streamed;
  auto result = docker().build(options, tar_directory(context.path()), [&](const BuildOutput& o) {
    streamed += o.stream;
    return true;
  });
  CHECK(starts_with(result.image_id, "sha256:"));
  CHECK_THAT(streamed, Catch::Contains("Step"));
  auto image = docker().inspect_image(tag);
  REQUIRE(image);
  CHECK(image->id == result.image_id);
  CHECK(image->labels.at("fical.test") == "build");
  RunSpec run;
  run.container.image = tag;
  run.container.cmd = {"cat", "/hello.txt", "/greeting.txt"};
  run.timeout = std::chrono::seconds(30);
  auto output = docker().run_once(run);
  CHECK(output.exit_code == 0);
  CHECK(joined(output.output) == "hello from the context\nhi-there");
  docker().remove_image(tag, true);
}

TEST_CASE("docker: a failing build step throws a stream error with the step's output",
          "[docker]") {
  TempDir context;
  write_file(context.path() / "Dockerfile",
             "FROM " + test_image("v1") + "\nRUN echo building && exit 7\n");
  BuildOptions options;
  options.tags = {unique_name("badbuild") + ":v1"};
  try {
    docker().build(options, tar_directory(context.path()), {});
    FAIL("the failing build succeeded");
  } catch (const DockerError& e) {
    CHECK(e.kind() == DockerErrorKind::stream);
    CHECK_THAT(e.docker_message(), Catch::Contains("non-zero code: 7"));
  }
}
