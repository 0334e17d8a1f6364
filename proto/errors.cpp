#include "proto/errors.hpp"

#include <array>
#include <utility>

namespace fical::proto {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int status;
};

// The one table that maps error codes to names and HTTP statuses.
constexpr std::array kCodes{
    CodeInfo{ErrorCode::bad_request, "bad_request", 400},
    CodeInfo{ErrorCode::unauthorized, "unauthorized", 401},
    CodeInfo{ErrorCode::forbidden, "forbidden", 403},
    CodeInfo{ErrorCode::not_found, "not_found", 404},
    CodeInfo{ErrorCode::method_not_allowed, "method_not_allowed", 405},
    CodeInfo{ErrorCode::conflict, "conflict", 409},
    CodeInfo{ErrorCode::promotion_refused, "promotion_refused", 409},
    CodeInfo{ErrorCode::payload_too_large, "payload_too_large", 413},
    CodeInfo{ErrorCode::too_many_requests, "too_many_requests", 429},
    CodeInfo{ErrorCode::internal, "internal", 500},
    CodeInfo{ErrorCode::unavailable, "unavailable", 503},
};

const CodeInfo& info(ErrorCode code) {
  for (const auto& entry : kCodes) {
    if (entry.code == code) return entry;
  }
  return kCodes[9];  // internal
}

}  // namespace

std::string_view to_string(ErrorCode code) { return info(code).name; }
int http_status(ErrorCode code) { return info(code).status; }

nlohmann::json to_json(const ApiError& error) {
  nlohmann::json inner{{"code", to_string(error.code)}, {"message", error.message}};
  if (!error.deployment_id.empty()) inner["deployment_id"] = error.deployment_id;
  if (!error.reason.empty()) inner["reason"] = error.reason;
  return {{"error", std::move(inner)}};
}

ApiError api_error_from_body(int status, std::string_view body) {
  ApiError error;
  error.code = ErrorCode::internal;
  for (const auto& entry : kCodes) {  // the first code of the status (409: conflict)
    if (entry.status == status && error.code == ErrorCode::internal) error.code = entry.code;
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& inner = json["error"];
    if (inner.contains("code") && inner["code"].is_string()) {
      for (const auto& entry : kCodes) {
        if (entry.name == inner["code"].get<std::string>()) error.code = entry.code;
      }
    }
    if (inner.contains("message") && inner["message"].is_string()) {
      error.message = inner["message"].get<std::string>();
    }
    if (inner.contains("deployment_id") && inner["deployment_id"].is_string()) {
      error.deployment_id = inner["deployment_id"].get<std::string>();
    }
    if (inner.contains("reason") && inner["reason"].is_string()) error.reason = inner["reason"].get<std::string>();
  }
  if (error.message.empty()) {
    error.message = "HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 200));
  }
  return error;
}

}  // namespace fical::proto
