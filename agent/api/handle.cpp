#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "agent/api/handlers.hpp"
#include "proto/names.hpp"

namespace fical::agent::api {
namespace {

using proto::ErrorCode;

constexpr const char* kAuthFailures = "fical_api_auth_failures_total";
constexpr const char* kRequests = "fical_api_requests_total";

void audit(Deps& deps, const Request& request, const Response& response, std::string outcome) {
  AuditRecord record;
  record.request_id = request.request_id;
  record.token_id = response.token_id;
  record.peer = request.peer;
  record.method = request.method;
  record.route = response.route;
  record.path = request.path;
  record.status = response.status;
  record.outcome = std::move(outcome);
  for (const auto& [name, value] : response.headers) {
    if (name == "Location" && value.rfind("/v1/deployments/", 0) == 0) record.deployment_id = value.substr(16);
  }
  deps.audit.record(record);
}

std::string join(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& method : methods) out += (out.empty() ? "" : ", ") + method;
  return out;
}

Response refuse_authentication(const Request& request, Deps& deps, std::string route) {
  deps.auth_failures.record_failure(request.peer_address, deps.now());
  deps.metrics.increment(kAuthFailures, {{"reason", "unauthorized"}});
  auto response = error_response(ErrorCode::unauthorized, "a valid bearer token is required");
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fical\"");
  response.route = std::move(route);
  audit(deps, request, response, "auth_failed");
  return response;
}

// Authentication and authorisation; an empty optional means the call may proceed.
std::optional<Response> check_access(const Request& request, const Route& route,
                                     const PathParams& params, const config::Token*& token,
                                     Deps& deps) {
  const std::string pattern(route.pattern);
  auto wait = deps.auth_failures.retry_after(request.peer_address, deps.now());
  if (wait > FailureLimiter::Duration::zero()) {
    auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    auto response = error_response(ErrorCode::too_many_requests,
                                    "too many failed authentications; retry later");
    response.headers.emplace_back("Retry-After", std::to_string(seconds));
    response.route = pattern;
    deps.metrics.increment(kAuthFailures, {{"reason", "rate_limited"}});
    audit(deps, request, response, "rate_limited");
    return response;
  }
  token = deps.authenticator.authenticate(request.header("authorization"));
  if (token == nullptr) return refuse_authentication(request, deps, pattern);

  auto forbid = [&](std::string message) {
    auto response = error_response(ErrorCode::forbidden, std::move(message));
    response.route = pattern;
    response.token_id = token->id;
    deps.metrics.increment(kAuthFailures, {{"reason", "forbidden"}});
    audit(deps, request, response, "forbidden");
    return response;
  };
  if (!has_scope(*token, *route.scope)) {
    return forbid(std::string("this token lacks the \"") + config::to_string(*route.scope) +
                  "\" scope");
  }
  for (const auto& [name, value] : params) {
    if (auto bad = proto::check_name(name, value)) {
      auto response = error_response(ErrorCode::bad_request, *bad);
      response.route = pattern;
      response.token_id = token->id;
      return response;
    }
  }
  for (const auto& [name, value] : params) {
    if (name == "app" && !allows_app(*token, value)) {
      return forbid("this token may not act on app \"" + value + "\"");
    }
  }
  return std::nullopt;
}

}  // namespace

Response handle(const Request& request, Deps& deps) {
  auto match = api_router().match(request.method, request.path);
  if (match.route == nullptr) {
    if (match.allowed.empty()) return error_response(ErrorCode::not_found, "no such route");
    auto response = error_response(ErrorCode::method_not_allowed,
                                   request.method.substr(0, 16) + " is not allowed here");
    response.headers.emplace_back("Allow", join(match.allowed));
    return response;
  }
  const Route& route = *match.route;
  const config::Token* token = nullptr;
  if (route.scope) {
    if (auto refused = check_access(request, route, match.params, token, deps)) return *refused;
  } else {
    for (const auto& [name, value] : match.params) {
      if (auto bad = proto::check_name(name, value)) {
        return error_response(ErrorCode::bad_request, *bad);
      }
    }
  }

  Response response;
  try {
    response = route.handler(Call{request, match.params, token}, deps);
  } catch (const std::exception& e) {
    // The caller sees only the request id; the log has what went wrong.
    spdlog::error("request_id={} route={}: internal error: {}", request.request_id, route.pattern, e.what());
    response = error_response(ErrorCode::internal, "internal error (request " + request.request_id + ")");
  }
  response.route = std::string(route.pattern);
  if (token != nullptr) response.token_id = token->id;
  if (route.method != "GET") {  // every change is audited
    audit(deps, request, response, response.status < 300 ? "accepted" : "refused");
  }
  return response;
}

void describe_api_metrics(MetricsRegistry& metrics) {
  metrics.describe_counter(kRequests, "API requests answered, by route pattern, method and status.");
  metrics.describe_counter(kAuthFailures,
                           "API requests refused: unauthorized, forbidden or rate_limited.");
}

void count_request(MetricsRegistry& metrics, std::string_view method, const Response& response) {
  std::string known_method =
      method == "GET" || method == "POST" || method == "PUT" || method == "DELETE" ? std::string(method)
                                                                                   : std::string("other");
  metrics.increment(kRequests, {{"route", response.route},
                                {"method", known_method},
                                {"status", std::to_string(response.status)}});
}

}  // namespace fical::agent::api
