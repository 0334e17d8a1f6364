#include "client/cli.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using fical::client::run;

TEST_CASE("fical-client version prints its version", "[client]") {
  std::ostringstream out, err;
  CHECK(run({"fical-client", "version"}, out, err) == 0);
  CHECK(out.str().rfind("fical-client ", 0) == 0);
}

TEST_CASE("fical-client exits 2 on a bad command line", "[client]") {
  std::ostringstream out, err;
  CHECK(run({"fical-client"}, out, err) == 2);
  CHECK(run({"fical-client", "frobnicate"}, out, err) == 2);
  CHECK_FALSE(err.str().empty());
}
