#include "agent/api/route_handlers.hpp"

namespace fical::agent::api {

using config::Scope;

const Router& api_router() {
  static const Router router({
      {"GET", "/healthz", std::nullopt, routes::healthz},
      {"GET", "/metrics", Scope::read, routes::metrics},
      {"GET", "/v1/apps", Scope::read, routes::list_apps},
      {"GET", "/v1/apps/{app}/envs/{env}", Scope::read, routes::env_status},
      {"GET", "/v1/apps/{app}/envs/{env}/deployments", Scope::read, routes::deployments},
      {"POST", "/v1/apps/{app}/envs/{env}/deployments", Scope::deploy, routes::deploy},
      {"POST", "/v1/apps/{app}/envs/{env}/rollback", Scope::deploy, routes::rollback},
      {"POST", "/v1/apps/{app}/envs/{env}/promotions", Scope::promote, routes::promote},
      {"GET", "/v1/apps/{app}/envs/{env}/releases", Scope::read, routes::releases},
      {"GET", "/v1/apps/{app}/envs/{env}/logs", Scope::read, routes::logs},
      {"PUT", "/v1/apps/{app}/envs/{env}/maintenance", Scope::deploy, routes::start_maintenance},
      {"DELETE", "/v1/apps/{app}/envs/{env}/maintenance", Scope::deploy, routes::end_maintenance},
      {"GET", "/v1/apps/{app}/envs/{env}/canary", Scope::read, routes::canary_status},
      {"POST", "/v1/apps/{app}/envs/{env}/canary/promote", Scope::deploy, routes::canary_promote},
      {"POST", "/v1/apps/{app}/envs/{env}/canary/abort", Scope::deploy, routes::canary_abort},
      {"GET", "/v1/deployments/{id}", Scope::read, routes::deployment},
      {"GET", "/v1/deployments/{id}/events", Scope::read, routes::events},
      {"POST", "/v1/deployments/{id}/cancel", Scope::deploy, routes::cancel},
      {"GET", "/v1/audit", Scope::admin, routes::audit},
  });
  return router;
}

}  // namespace fical::agent::api
