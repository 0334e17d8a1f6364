#include "agent/canary/access_record.hpp"

#include <catch2/catch.hpp>

using namespace fical::agent::canary;

TEST_CASE("an access line gives every upstream try with its status and times", "[canary]") {
  // What nginx 1.22 wrote for a request whose first try could not connect (docs/canary.md).
  auto record = parse_access_line(
      R"({"time":1764613452.123,"upstream_name":"acc-prod-web","upstream_addr":"127.0.0.1:29604, 127.0.0.1:29602",)"
      R"("status":200,"upstream_status":"502, 200","request_time":0.004,)"
      R"("upstream_response_time":"0.000, 0.003","upstream_connect_time":"-, 0.000"})");
  REQUIRE(record);
  CHECK(record->time == Approx(1764613452.123));
  CHECK(record->upstream_name == "acc-prod-web");
  CHECK(record->status == 200);
  REQUIRE(record->attempts.size() == 2);
  CHECK(record->attempts[0].address == "127.0.0.1:29604");
  CHECK(record->attempts[0].status == 502);
  CHECK(record->attempts[0].connect_failed);
  CHECK(record->attempts[1].address == "127.0.0.1:29602");
  CHECK(record->attempts[1].status == 200);
  CHECK_FALSE(record->attempts[1].connect_failed);
  CHECK(*record->attempts[1].response_time == Approx(0.003));
}

TEST_CASE("lines that are not proxied fical_canary records are skipped", "[canary]") {
  CHECK_FALSE(
      parse_access_line(R"(127.0.0.1 - - [01/Dec/2026:18:00:00 +0000] "GET / HTTP/1.1" 200 5)"));
  CHECK_FALSE(parse_access_line(R"({"time":1.0,"status":200,"upstream_addr":""})"));
  CHECK_FALSE(
      parse_access_line(R"({"time":1.0,"status":200,"upstream_addr":"127.0.0.1:1)"));  // torn
  CHECK_FALSE(parse_access_line(R"({"status":200,"upstream_addr":"127.0.0.1:1"})"));
}

TEST_CASE("nginx's try lists split on commas and on colons between groups only", "[canary]") {
  CHECK(split_upstream_list("10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80") ==
        std::vector<std::string>{"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"});
  CHECK(split_upstream_list("[::1]:8080, unix:/run/app.sock") ==
        std::vector<std::string>{"[::1]:8080", "unix:/run/app.sock"});
  CHECK(split_upstream_list("-, 0.001") == std::vector<std::string>{"-", "0.001"});
  CHECK(split_upstream_list("").empty());
}
