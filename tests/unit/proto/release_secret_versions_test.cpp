#include <catch2/catch.hpp>

#include "proto/release.hpp"

using namespace fical::proto;

TEST_CASE("a release's secret versions round-trip, older records have none", "[proto][secrets]") {
  Release release;
  release.version = "v1";
  release.deployed_at = now_ms();
  release.secret_versions = {{"aws_secret", "web/env", "11111111-aaaa-4aaa-8aaa-111111111111"},
                             {"ssm_parameter", "/web/prod/API_KEY", "3"}};
  auto json = to_json(release);
  CHECK(json["secret_versions"].size() == 2);
  CHECK(json["secret_versions"][1] == nlohmann::json{{"source", "ssm_parameter"}, {"name", "/web/prod/API_KEY"},
                                                     {"version", "3"}});
  CHECK(release_from_json(json).secret_versions == release.secret_versions);

  json.erase("secret_versions");  // a record written before pinning
  CHECK(release_from_json(json).secret_versions.empty());
  release.secret_versions.clear();
  CHECK_FALSE(to_json(release).contains("secret_versions"));
}
