#include "proto/requests.hpp"

#include <catch2/catch.hpp>

using namespace fical::proto;

namespace {
template <typename T>
std::string error_of(const Result<T>& decoded) {
  if (const auto* error = std::get_if<ApiError>(&decoded)) {
    CHECK(error->code == ErrorCode::bad_request);
    return error->message;
  }
  return "";
}
}  // namespace

TEST_CASE("a deploy request needs a valid version", "[proto]") {
  auto ok = decode_deploy_request(R"({"version":"v1.2.3","dry_run":true})");
  REQUIRE(std::holds_alternative<DeployRequest>(ok));
  CHECK(std::get<DeployRequest>(ok).version == "v1.2.3");
  CHECK(std::get<DeployRequest>(ok).dry_run);

  CHECK(error_of(decode_deploy_request("{}")) == "version: is required");
  CHECK(error_of(decode_deploy_request(R"({"version":7})")) == "version: must be a string");
  CHECK(error_of(decode_deploy_request(R"({"version":"v1;reboot"})")).rfind("version: ", 0) == 0);
  CHECK(error_of(decode_deploy_request(R"({"version":"v1","dry_run":"yes"})")) ==
        "dry_run: must be true or false");
}

TEST_CASE("request bodies must be JSON objects without unknown fields", "[proto]") {
  CHECK(error_of(decode_deploy_request("not json")) == "body: not valid JSON");
  CHECK(error_of(decode_deploy_request("[1]")) == "body: must be a JSON object");
  CHECK(error_of(decode_deploy_request(R"({"version":"v1","force":true})")) ==
        "body: unknown field \"force\"");
}

TEST_CASE("a rollback request may be empty or name a release", "[proto]") {
  auto empty = decode_rollback_request("");
  REQUIRE(std::holds_alternative<RollbackRequest>(empty));
  CHECK(std::get<RollbackRequest>(empty).release.empty());
  auto named = decode_rollback_request(R"({"release":"v1"})");
  CHECK(std::get<RollbackRequest>(named).release == "v1");
  CHECK(error_of(decode_rollback_request(R"({"release":"../x"})")).rfind("release: ", 0) == 0);
  CHECK_FALSE(std::get<RollbackRequest>(named).current_env);
  auto current = decode_rollback_request(R"({"current_env":true})");
  CHECK(std::get<RollbackRequest>(current).current_env);
  CHECK(error_of(decode_rollback_request(R"({"current_env":"yes"})")).rfind("current_env: ", 0) == 0);
}

TEST_CASE("encoded requests decode to the same request", "[proto]") {
  auto decoded = decode_deploy_request(encode(DeployRequest{"v9", true}));
  CHECK(std::get<DeployRequest>(decoded).version == "v9");
  CHECK(std::get<DeployRequest>(decoded).dry_run);
  CHECK(encode(RollbackRequest{}) == "{}");
  auto rollback = decode_rollback_request(encode(RollbackRequest{"v2", false, true}));
  CHECK(std::get<RollbackRequest>(rollback).release == "v2");
  CHECK(std::get<RollbackRequest>(rollback).current_env);
}

TEST_CASE("a maintenance request: message and retry_after within bounds, defaults when empty",
          "[proto][maintenance]") {
  auto empty = decode_maintenance_request("");
  REQUIRE(std::holds_alternative<MaintenanceRequest>(empty));
  CHECK(std::get<MaintenanceRequest>(empty).retry_after_seconds == 600);
  CHECK(std::get<MaintenanceRequest>(empty).message.empty());

  MaintenanceRequest sent{"Back at 14:00 <UTC>", 1800};
  auto round = decode_maintenance_request(encode(sent));
  REQUIRE(std::holds_alternative<MaintenanceRequest>(round));
  CHECK(std::get<MaintenanceRequest>(round).message == sent.message);
  CHECK(std::get<MaintenanceRequest>(round).retry_after_seconds == 1800);

  CHECK(error_of(decode_maintenance_request(R"({"retry_after":0})")).rfind("retry_after: ", 0) == 0);
  CHECK(error_of(decode_maintenance_request(R"({"retry_after":604801})")).rfind("retry_after: ", 0) == 0);
  CHECK(std::holds_alternative<MaintenanceRequest>(decode_maintenance_request(R"({"retry_after":604800})")));
  CHECK(error_of(decode_maintenance_request(R"({"retry_after":1.5})")).rfind("retry_after: ", 0) == 0);
  CHECK(error_of(decode_maintenance_request(R"({"message":"a\u0007b"})")) == "message: no control characters");
  CHECK(error_of(decode_maintenance_request("{\"message\":\"" + std::string(501, 'x') + "\"}")) ==
        "message: at most 500 bytes");
  CHECK(error_of(decode_maintenance_request(R"({"page":"/x"})")) == "body: unknown field \"page\"");
}

TEST_CASE("a promote request names the env it promotes from", "[proto][promote]") {
  auto ok = decode_promote_request(R"({"from":"staging","dry_run":true})");
  REQUIRE(std::holds_alternative<PromoteRequest>(ok));
  CHECK(std::get<PromoteRequest>(ok).from == "staging");
  CHECK(std::get<PromoteRequest>(ok).dry_run);
  CHECK(encode(PromoteRequest{"staging", false}) == R"({"from":"staging"})");
  CHECK(error_of(decode_promote_request("{}")) == "from: is required");
  CHECK(error_of(decode_promote_request(R"({"from":1})")) == "from: must be a string");
  CHECK_FALSE(error_of(decode_promote_request(R"({"from":"Staging!"})")).empty());
  CHECK(error_of(decode_promote_request(R"({"from":"staging","version":"v9"})")) == "body: unknown field \"version\"");
}
