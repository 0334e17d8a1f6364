// Promotion against the real dockerd, registry and nginx: prod runs the exact image staging
// runs (its digest, not its tag, which then moves), and a staging broken by hand is refused
// before anything in prod changes.
#include <catch2/catch.hpp>

#include "agent/router/process_runner.hpp"
#include "tests/integration/deploy/engine_harness.hpp"
#include "tests/support/events.hpp"

using namespace fical;
using namespace fical::testing;
using proto::DeploymentState;

namespace {

void docker_cli(std::vector<std::string> args) {
  args.insert(args.begin(), {"docker", "-H", "unix://" + TestEnv::get().docker_socket});
  auto ran = agent::router::SpawnProcessRunner().run(args, std::chrono::seconds(60));
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
}

std::string events_text(const proto::Deployment& d) {
  std::string text;
  for (const auto& e : d.events) text += "[" + std::string(proto::to_string(e.phase)) + "] " + e.message + "\n";
  return text + "error: " + d.error;
}

}  // namespace

TEST_CASE("a promotion runs staging's digest in prod even after its tag moved, and a stopped staging is refused",
          "[deploy][promote]") {
  EngineHarness h;
  // A tag of this test's own (moving it disturbs no other test), first on v1's image.
  auto tag = "promote-" + h.app();
  docker_cli({"tag", "fical-test-app:v1", h.image(tag)});
  docker_cli({"push", "-q", h.image(tag)});
  auto staged = h.deploy(tag, "staging");
  INFO(events_text(staged));
  REQUIRE(staged.state == DeploymentState::succeeded);
  auto staging_live = h.store().load_env(h.app(), "staging").live;
  REQUIRE(staging_live);
  REQUIRE(staging_live->images.size() == 1);
  const auto digest = staging_live->images[0].digest;
  REQUIRE_THAT(digest, Catch::StartsWith("sha256:"));

  // The tag moves to v2's image, here and in the registry: a promotion must not follow it.
  docker_cli({"tag", "fical-test-app:v2", h.image(tag)});
  docker_cli({"push", "-q", h.image(tag)});

  agent::PromoteCommand command{h.app(), "prod", {"staging", false}, {"test", "127.0.0.1"}, ""};
  auto started = h.manager().promote(command);
  if (auto* error = std::get_if<proto::ApiError>(&started)) FAIL(error->message);
  auto promoted = h.wait(std::get<proto::Deployment>(started).id);
  INFO(events_text(promoted));
  REQUIRE(promoted.state == DeploymentState::succeeded);
  CHECK(promoted.kind == proto::DeploymentKind::promote);
  CHECK(promoted.version == tag);
  REQUIRE(promoted.promoted_from);
  CHECK(promoted.promoted_from->deployment_id == staging_live->deployment_id);
  CHECK(event_data(promoted, "image_pinned"));

  auto prod = h.docker().inspect_container(h.app() + "-prod-web-blue");
  REQUIRE(prod);
  CHECK(prod->image_ref == TestEnv::get().test_image + "@" + digest);  // the digest, not the tag
  CHECK(h.settled_on("v1"));  // v1's image answers "v1"; the moved tag would answer "v2"
  auto prod_live = h.store().load_env(h.app(), "prod").live;
  REQUIRE(prod_live);
  CHECK(prod_live->images[0].digest == digest);

  // Staging broken by hand: refused before anything changes, prod keeps serving.
  h.docker().stop_container(h.app() + "-staging-web-blue", std::chrono::seconds(2));
  auto refused = h.manager().promote(command);
  auto* error = std::get_if<proto::ApiError>(&refused);
  REQUIRE(error);
  CHECK(error->code == proto::ErrorCode::promotion_refused);
  CHECK(error->reason == "source_unhealthy");
  CHECK(h.containers("prod-web-green").empty());
  CHECK(h.store().load_env(h.app(), "prod").live->deployment_id == prod_live->deployment_id);
  CHECK(h.served("prod") == "v1");
}
