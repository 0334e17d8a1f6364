#include "agent/router/upstream.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::router;

TEST_CASE("an upstream file names the service and lists its servers", "[router]") {
  UpstreamTarget target{"filter-ical", "staging", "backend", "green", "v1.2.3", {"127.0.0.1:18002"}, {}};
  CHECK(upstream_file_name(target) == "filter-ical-staging-backend.conf");
  CHECK(render_upstream(target) ==
        "# Written by fical-agent; do not edit (it is replaced on every deploy).\n"
        "# app=filter-ical env=staging service=backend color=green release=v1.2.3\n"
        "upstream filter-ical-staging-backend {\n"
        "    server 127.0.0.1:18002;\n"
        "    keepalive 16;\n"
        "}\n");
}

TEST_CASE("an upstream without a running container has a down server, never a name", "[router]") {
  UpstreamTarget target{"acc", "prod", "backend", "green", "v2", {}, "acc-prod-backend-green is not running on platform"};
  auto text = render_upstream(target);
  CHECK(text.find("    server 127.0.0.1:9 down;\n") != std::string::npos);
  CHECK(text.find("# acc-prod-backend-green is not running on platform: requests get 502") != std::string::npos);
  CHECK(text.find("server acc-") == std::string::npos);
}
