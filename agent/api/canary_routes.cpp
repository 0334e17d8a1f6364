// Handlers of /v1/apps/{app}/envs/{env}/canary: the running canary's status, promote, abort.
#include "agent/api/result_response.hpp"
#include "agent/api/route_handlers.hpp"

namespace fical::agent::api::routes {
namespace {

Response command(const Call& call, Deps& deps, CanaryAction action) {
  return respond(deps.service.canary_command(call.param("app"), call.param("env"), action,
                                             Actor{call.token->id, call.request.peer}),
                 [](const nlohmann::json& status) { return json_response(202, status); });
}

}  // namespace

Response canary_status(const Call& call, Deps& deps) {
  return respond(deps.service.canary_status(call.param("app"), call.param("env")),
                 [](const nlohmann::json& status) { return json_response(200, status); });
}

Response canary_promote(const Call& call, Deps& deps) { return command(call, deps, CanaryAction::promote); }
Response canary_abort(const Call& call, Deps& deps) { return command(call, deps, CanaryAction::abort); }

}  // namespace fical::agent::api::routes
