#include "proto/time.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono;
using fical::proto::format_time;
using fical::proto::parse_time;
using fical::proto::TimePoint;

TEST_CASE("times format as RFC 3339 UTC with milliseconds", "[proto]") {
  TimePoint t{sys_days{2026y / November / 26}.time_since_epoch() + 22h + 3min + 13s + 7ms};
  CHECK(format_time(t) == "2026-11-26T22:03:13.007Z");
  CHECK(parse_time("2026-11-26T22:03:13.007Z") == t);
  CHECK(parse_time("2026-11-26T22:03:13Z") == t - 7ms);
}

TEST_CASE("times round-trip through text", "[proto]") {
  auto now = fical::proto::now_ms();
  CHECK(parse_time(format_time(now)) == now);
}

TEST_CASE("malformed times are refused", "[proto]") {
  for (const char* bad : {"", "2026-11-26", "2026-11-26T22:03:13", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-26T25:00:00Z", "2026-11-26T22:03:13.1Z",
                          "2026-11-26 22:03:13Z", "x026-11-26T22:03:13Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_time(bad));
  }
}
