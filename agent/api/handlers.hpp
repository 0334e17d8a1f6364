#pragma once
// The API: its route table and the pure entry point `handle(request, deps)`.
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "agent/api/audit_sink.hpp"
#include "agent/api/body_cache.hpp"
#include "agent/api/authenticator.hpp"
#include "agent/api/failure_limiter.hpp"
#include "agent/api/metrics_registry.hpp"
#include "agent/api/request.hpp"
#include "agent/api/router.hpp"
#include "agent/deployment_service.hpp"

namespace fical::agent::api {

/// Everything the handlers use. The server owns these and outlives every request.
struct Deps {
  DeploymentService& service;
  const Authenticator& authenticator;
  FailureLimiter& auth_failures;
  MetricsRegistry& metrics;
  AuditSink& audit;
  std::function<FailureLimiter::TimePoint()> now = [] { return std::chrono::steady_clock::now(); };
  std::shared_ptr<BodyCache> bodies = std::make_shared<BodyCache>();  // env status answers
};

/// Every route the API serves (openapi.yaml must describe exactly these).
const Router& api_router();

/// Routes, authenticates (rate-limiting failures per peer), authorises the scope and app,
/// validates path parameters, and calls the route's handler. Never throws: an exception
/// from the service becomes a 500 without its text.
Response handle(const Request& request, Deps& deps);

/// Counts a finished request in the registry (the server calls it once per response).
void count_request(MetricsRegistry& metrics, std::string_view method, const Response& response);

/// Declares the API's counter families with their help texts.
void describe_api_metrics(MetricsRegistry& metrics);

}  // namespace fical::agent::api
