#include "agent/docker/prune.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::docker;

TEST_CASE("prune: only the app's repository, only tags not kept", "[docker]") {
  std::vector<ImageSummary> images = {
      {"sha256:1", {"ghcr.io/o/web:v1", "ghcr.io/o/web:latest"}, {}, {}, 0},
      {"sha256:2", {"ghcr.io/o/web:v2"}, {}, {}, 0},
      {"sha256:3", {"ghcr.io/o/web:v3"}, {}, {}, 0},
      {"sha256:4", {"ghcr.io/o/web-other:v1", "ghcr.io/o/web/sub:v1"}, {}, {}, 0},
      {"sha256:5", {}, {}, {}, 0},  // dangling
  };
  CHECK(images_to_prune(images, "ghcr.io/o/web", {"v2", "v3", "latest"}) ==
        std::vector<std::string>{"ghcr.io/o/web:v1"});
  CHECK(images_to_prune(images, "ghcr.io/o/web", {}) ==
        std::vector<std::string>{"ghcr.io/o/web:latest", "ghcr.io/o/web:v1", "ghcr.io/o/web:v2",
                                 "ghcr.io/o/web:v3"});
  CHECK(images_to_prune(images, "ghcr.io/o/none", {}).empty());
}
