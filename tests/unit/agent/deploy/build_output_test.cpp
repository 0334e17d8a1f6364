#include "agent/deploy/build_output.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent;

TEST_CASE("build output: step lines become bounded events, the tail is kept", "[build]") {
  deploy::BuildProgress progress(2, 3);
  auto first = progress.feed("Step 1/3 : FROM x\n ---> Using cache\nStep 2/3 : COP");
  CHECK(first == std::vector<std::string>{"Step 1/3 : FROM x"});
  auto second = progress.feed("Y a /a\n ---> abc\nStep 3/3 : ENV A=1\n");
  CHECK(second == std::vector<std::string>{"Step 2/3 : COPY a /a"});  // the third is over the bound
  CHECK(progress.steps() == 3);
  CHECK(progress.cached_steps() == 1);
  CHECK(progress.last_lines() == std::vector<std::string>{"Step 2/3 : COPY a /a", " ---> abc", "Step 3/3 : ENV A=1"});
}

TEST_CASE("build fingerprint changes with any build setting", "[build]") {
  config::BuildSpec a;
  auto base = deploy::build_fingerprint(a);
  CHECK(base == deploy::build_fingerprint(a));
  auto b = a;
  b.args["X"] = "1";
  CHECK(deploy::build_fingerprint(b) != base);
  auto c = a;
  c.target = "production";
  CHECK(deploy::build_fingerprint(c) != base);
  CHECK(deploy::built_image_repository("shop", "web") == "fical/shop-web");
}
