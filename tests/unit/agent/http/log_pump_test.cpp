#include "agent/http/log_pump.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace fical::agent::http;

TEST_CASE("the log pump hands chunks over and reports the end", "[http]") {
  LogPump pump(1024);
  CHECK(pump.push("a"));
  CHECK(pump.push("b"));
  auto first = pump.take();
  CHECK(first.text == "ab");
  CHECK_FALSE(first.finished);
  pump.finish(fical::proto::ApiError{fical::proto::ErrorCode::not_found, "no service", {}});
  auto last = pump.take();
  CHECK(last.finished);
  REQUIRE(last.error);
  CHECK(last.error->message == "no service");
}

TEST_CASE("a full pump makes the producer wait until the reader takes or stops", "[http]") {
  LogPump pump(4);
  CHECK(pump.push("1234"));
  bool second = true;
  std::thread producer([&] { second = pump.push("5"); });
  // The producer waits (the buffer is full) until stop(); then push() returns false.
  pump.stop();
  producer.join();
  CHECK_FALSE(second);
  CHECK_FALSE(pump.push("6"));
}
