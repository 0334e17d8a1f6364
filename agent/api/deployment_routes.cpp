// Handlers of /v1/deployments/{id}, /healthz and /metrics.
#include "agent/api/result_response.hpp"
#include "agent/api/route_handlers.hpp"

namespace fical::agent::api::routes {
namespace {

using proto::ErrorCode;

// For a token limited to some apps: the deployment's app must be one of them.
std::optional<Response> refuse_other_app(const Call& call, Deps& deps) {
  if (call.token->apps.empty()) return std::nullopt;
  auto found = deps.service.deployment(call.param("id"));
  if (auto* error = std::get_if<proto::ApiError>(&found)) return error_response(*error);
  const auto& app = std::get<proto::Deployment>(found).app;
  if (allows_app(*call.token, app)) return std::nullopt;
  return error_response(ErrorCode::forbidden, "this token may not act on app \"" + app + "\"");
}

}  // namespace

Response healthz(const Call&, Deps& deps) {
  auto health = deps.service.health();
  if (health.docker && health.reconciled) {
    return json_response(200, {{"status", "ok"}, {"docker", true}, {"reconciled", true}});
  }
  auto body = proto::to_json(proto::ApiError{
      ErrorCode::unavailable,
      health.docker ? "the agent is starting: Docker answers, and the agent accepts deployments once it has "
                      "reconciled its state"
                    : "Docker is not answering",
      {}});
  body["status"] = health.docker ? "starting" : "unavailable";
  body["docker"] = health.docker;
  body["reconciled"] = health.reconciled;
  return json_response(503, body);
}

Response metrics(const Call&, Deps& deps) {
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = deps.metrics.render();
  return response;
}

Response deployment(const Call& call, Deps& deps) {
  if (auto refused = refuse_other_app(call, deps)) return *refused;
  return respond(deps.service.deployment(call.param("id")), [](const proto::Deployment& found) {
    return json_response(200, proto::to_json(found, true));
  });
}

Response events(const Call& call, Deps& deps) {
  if (auto refused = refuse_other_app(call, deps)) return *refused;
  // Asks once so that an unknown id (or a missing engine) answers with an error status
  // before the stream's 200 is sent.
  auto first = deps.service.events(call.param("id"), 0);
  if (auto* error = std::get_if<proto::ApiError>(&first)) return error_response(*error);
  Response response;
  response.content_type = "application/x-ndjson";
  response.stream = EventStream{call.param("id")};
  return response;
}

Response cancel(const Call& call, Deps& deps) {
  if (auto refused = refuse_other_app(call, deps)) return *refused;
  return respond(deps.service.cancel(call.param("id"), Actor{call.token->id, call.request.peer}),
                 [](const proto::Deployment& found) {
                   return json_response(202, proto::to_json(found, false));
                 });
}

}  // namespace fical::agent::api::routes
