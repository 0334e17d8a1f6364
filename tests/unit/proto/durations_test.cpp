#include "proto/durations.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using fical::proto::format_duration;
using fical::proto::parse_duration;

TEST_CASE("durations parse with ms, s, m and h", "[proto]") {
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("10s") == 10s);
  CHECK(parse_duration("5m") == 5min);
  CHECK(parse_duration("1h") == 1h);
  CHECK(parse_duration("0") == 0ms);
  CHECK(parse_duration("0s") == 0ms);
}

TEST_CASE("malformed or huge durations are refused", "[proto]") {
  for (const char* bad : {"", "s", "10", "-1s", "1.5s", "10 s", "10sec", "1d", "9999999h",
                          "99999999999999999999s", "10s "}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("durations format to their shortest exact form", "[proto]") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(60s) == "1m");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(2h) == "2h");
  for (const char* text : {"250ms", "10s", "5m", "1h"}) {
    CHECK(format_duration(*parse_duration(text)) == text);
  }
}
