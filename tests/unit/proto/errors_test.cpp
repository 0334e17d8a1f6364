#include "proto/errors.hpp"

#include <catch2/catch.hpp>

using namespace fical::proto;

TEST_CASE("each error code has its HTTP status", "[proto]") {
  CHECK(http_status(ErrorCode::bad_request) == 400);
  CHECK(http_status(ErrorCode::unauthorized) == 401);
  CHECK(http_status(ErrorCode::forbidden) == 403);
  CHECK(http_status(ErrorCode::not_found) == 404);
  CHECK(http_status(ErrorCode::conflict) == 409);
  CHECK(http_status(ErrorCode::payload_too_large) == 413);
  CHECK(http_status(ErrorCode::too_many_requests) == 429);
  CHECK(http_status(ErrorCode::unavailable) == 503);
  CHECK(to_string(ErrorCode::conflict) == "conflict");
}

TEST_CASE("error bodies round-trip and keep the running deployment id", "[proto]") {
  ApiError error{ErrorCode::conflict, "a deployment is running", "dep-1"};
  auto body = to_json(error).dump();
  CHECK(body == R"({"error":{"code":"conflict","deployment_id":"dep-1","message":"a deployment is running"}})");
  auto back = api_error_from_body(409, body);
  CHECK(back.code == ErrorCode::conflict);
  CHECK(back.message == "a deployment is running");
  CHECK(back.deployment_id == "dep-1");
}

TEST_CASE("a body that is not ours still yields a readable error", "[proto]") {
  auto error = api_error_from_body(502, "<html>Bad Gateway</html>");
  CHECK(error.code == ErrorCode::internal);
  CHECK(error.message == "HTTP 502: <html>Bad Gateway</html>");
  CHECK(api_error_from_body(404, "").code == ErrorCode::not_found);
}

TEST_CASE("a refused promotion carries its reason, and its 409 is told apart from a conflict", "[proto][promote]") {
  ApiError error{ErrorCode::promotion_refused, "staging is not healthy", {}};
  error.reason = "source_unhealthy";
  CHECK(http_status(ErrorCode::promotion_refused) == 409);
  auto back = api_error_from_body(409, to_json(error).dump());
  CHECK(back.code == ErrorCode::promotion_refused);
  CHECK(back.reason == "source_unhealthy");
  CHECK(api_error_from_body(409, "").code == ErrorCode::conflict);  // a 409 without a body
}
