// Handlers of PUT and DELETE /v1/apps/{app}/envs/{env}/maintenance.
#include "agent/api/result_response.hpp"
#include "agent/api/route_handlers.hpp"
#include "proto/release.hpp"
#include "proto/requests.hpp"

namespace fical::agent::api::routes {

Response start_maintenance(const Call& call, Deps& deps) {
  auto decoded = proto::decode_maintenance_request(call.request.body);
  if (auto* bad = std::get_if<proto::ApiError>(&decoded)) return error_response(*bad);
  MaintenanceCommand command{call.param("app"), call.param("env"), std::get<proto::MaintenanceRequest>(decoded),
                             Actor{call.token->id, call.request.peer}};
  return respond(deps.service.start_maintenance(command), [&](const proto::MaintenanceStatus& m) {
    return json_response(200, {{"app", command.app}, {"env", command.env}, {"maintenance", proto::to_json(m)}});
  });
}

Response end_maintenance(const Call& call, Deps& deps) {
  if (!call.request.body.empty()) return error_response(proto::ErrorCode::bad_request, "body: must be empty");
  auto app = call.param("app"), env = call.param("env");
  return respond(deps.service.end_maintenance(app, env, Actor{call.token->id, call.request.peer}),
                 [&](bool was_on) {
                   return json_response(200, {{"app", app}, {"env", env}, {"maintenance", nullptr}, {"was_on", was_on}});
                 });
}

}  // namespace fical::agent::api::routes
