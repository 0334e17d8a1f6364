#pragma once
// The handler of each route; internal to agent/api (the table is in route_table.cpp).
#include "agent/api/handlers.hpp"

namespace fical::agent::api::routes {

Response healthz(const Call& call, Deps& deps);
Response metrics(const Call& call, Deps& deps);
Response list_apps(const Call& call, Deps& deps);
Response env_status(const Call& call, Deps& deps);
Response deploy(const Call& call, Deps& deps);
Response rollback(const Call& call, Deps& deps);
Response promote(const Call& call, Deps& deps);
Response releases(const Call& call, Deps& deps);
Response deployments(const Call& call, Deps& deps);
Response logs(const Call& call, Deps& deps);
Response deployment(const Call& call, Deps& deps);
Response events(const Call& call, Deps& deps);
Response cancel(const Call& call, Deps& deps);
Response start_maintenance(const Call& call, Deps& deps);
Response end_maintenance(const Call& call, Deps& deps);
Response audit(const Call& call, Deps& deps);
Response canary_status(const Call& call, Deps& deps);
Response canary_promote(const Call& call, Deps& deps);
Response canary_abort(const Call& call, Deps& deps);

}  // namespace fical::agent::api::routes
