#include "agent/http/framing.hpp"

#include <catch2/catch.hpp>

#include "agent/http/request_reading.hpp"

using namespace fical::agent::http;

TEST_CASE("framing: Content-Length with Transfer-Encoding, odd codings, chunked 1.0", "[http]") {
  CHECK_FALSE(framing_problem({11, 1, {}}));
  CHECK_FALSE(framing_problem({11, 0, {"chunked"}}));
  CHECK_FALSE(framing_problem({11, 0, {"Chunked"}}));
  CHECK(framing_problem({11, 1, {"chunked"}}));
  CHECK(framing_problem({11, 0, {"gzip, chunked"}}));
  CHECK(framing_problem({11, 0, {"chunked", "chunked"}}));
  CHECK(framing_problem({11, 0, {"identity"}}));
  CHECK(framing_problem({10, 0, {"chunked"}}));
}

TEST_CASE("the server's parse path refuses smuggling shapes and oversize parts", "[http]") {
  ReadLimits limits{1024, 64};
  auto ok = parse_request_bytes(
      "POST /v1/apps/a/envs/b/deployments?x=1&y=a%20b HTTP/1.1\r\nHost: h\r\n"
      "Authorization: Bearer t\r\nContent-Length: 2\r\n\r\n{}",
      limits);
  REQUIRE(ok);
  CHECK(ok->method == "POST");
  CHECK(ok->path == "/v1/apps/a/envs/b/deployments");
  CHECK(ok->query == fical::agent::api::Fields{{"x", "1"}, {"y", "a b"}});
  CHECK(ok->header("authorization") == "Bearer t");
  CHECK(ok->body == "{}");

  auto chunked = parse_request_bytes(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", limits);
  REQUIRE(chunked);
  CHECK(chunked->body == "{}");

  CHECK_FALSE(parse_request_bytes(
      "POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", limits));
  CHECK_FALSE(parse_request_bytes(
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", limits));
  CHECK_FALSE(parse_request_bytes(
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", limits));
  CHECK_FALSE(parse_request_bytes(
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", limits));
  CHECK_FALSE(parse_request_bytes(
      "GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", limits));
  CHECK_FALSE(parse_request_bytes(
      "POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n" + std::string(65, 'a'), limits));
  CHECK_FALSE(parse_request_bytes("GET http://evil/ HTTP/1.1\r\n\r\n", limits));
  CHECK_FALSE(parse_request_bytes("GET / HTTP/1.1\r\nHost: h\r\n", limits));  // incomplete
}

TEST_CASE("request ids are 16 hex digits and differ", "[http]") {
  auto a = new_request_id();
  auto b = new_request_id();
  CHECK(a.size() == 16);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}
