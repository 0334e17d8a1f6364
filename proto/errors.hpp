#pragma once
// API error codes, their HTTP statuses, and the error body {"error": {"code", "message"}}.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace fical::proto {

enum class ErrorCode {
  bad_request,        // 400: malformed JSON, bad name or version
  unauthorized,       // 401: no or wrong token
  forbidden,          // 403: token lacks the scope or the app
  not_found,          // 404
  method_not_allowed, // 405
  conflict,           // 409: a deployment already runs for the environment
  promotion_refused,  // 409: the source env's live release may not be promoted (`reason` says why)
  payload_too_large,  // 413
  too_many_requests,  // 429: repeated auth failures
  internal,           // 500
  unavailable,        // 503: Docker or the deployment engine is not available
};

std::string_view to_string(ErrorCode code);
int http_status(ErrorCode code);

/// The body of every non-2xx answer.
struct ApiError {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string deployment_id;  // with conflict: the deployment that is running
  std::string reason{};       // with promotion_refused: a word for programs, e.g. source_unhealthy
};

/// A value, or the one ApiError that says why there is none: what every call at the API
/// boundary returns (the request decoders, DeploymentService). See agent/README.md, "Errors".
template <typename T>
using Result = std::variant<T, ApiError>;

nlohmann::json to_json(const ApiError& error);
/// Reads an error body; anything unexpected becomes an `internal` error quoting the text.
ApiError api_error_from_body(int status, std::string_view body);

}  // namespace fical::proto
