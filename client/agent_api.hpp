#pragma once
// The agent's HTTP API as typed calls: builds requests, adds the token, decodes answers.
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "client/transport.hpp"
#include "proto/deployment.hpp"
#include "proto/errors.hpp"
#include "proto/release.hpp"
#include "proto/requests.hpp"

namespace fical::client {

template <typename T>
using ApiResult = std::variant<T, proto::ApiError>;

/// GET /v1/apps/{app}/envs/{env}/logs query; values are validated before they get here.
struct LogsRequest {
  std::string app;
  std::string env;
  std::string service;
  int tail = 100;
  bool follow = false;
  std::string since;  // a duration ("10m") or an RFC 3339 time; empty for all
};

/// Typed calls to fical-agent over a Transport. Every call throws TransportError when the
/// agent cannot be reached in time; a non-2xx answer is returned as proto::ApiError.
/// Names and ids must be validated by the caller (they go into the path as they are).
class AgentApi {
 public:
  AgentApi(Transport& transport, std::string token, std::string base_path,
           Timeouts timeouts = {});

  ApiResult<proto::Deployment> deploy(const std::string& app, const std::string& env,
                                      const proto::DeployRequest& request,
                                      const std::string& idempotency_key);
  ApiResult<proto::Deployment> rollback(const std::string& app, const std::string& env,
                                        const proto::RollbackRequest& request,
                                        const std::string& idempotency_key);
  ApiResult<proto::Deployment> deployment(const std::string& id);
  ApiResult<proto::Deployment> cancel(const std::string& id);
  ApiResult<proto::EnvStatus> env_status(const std::string& app, const std::string& env);
  ApiResult<std::vector<proto::AppSummary>> apps();
  ApiResult<std::vector<proto::Release>> releases(const std::string& app, const std::string& env);
  ApiResult<std::vector<proto::Deployment>> deployments(const std::string& app, const std::string& env, int limit);

  /// Streams the events with seq >= from (GET /v1/deployments/{id}/events?from=N) to
  /// on_event, until the agent ends the stream (the deployment ended). `true` when it ended.
  ApiResult<bool> events(const std::string& id, std::uint64_t from,
                         const Timeouts& timeouts,
                         const std::function<void(const proto::Event&)>& on_event);

  /// GET of a path (with its query, already encoded) answering JSON: for commands without a
  /// typed call (audit).
  ApiResult<nlohmann::json> get_json(const std::string& path_and_query);
  /// POST with no body, answering JSON (canary promote|abort).
  ApiResult<nlohmann::json> post_json(const std::string& path);

  /// Streams container log text to on_chunk until the agent ends it.
  ApiResult<bool> logs(const LogsRequest& request, const Timeouts& timeouts,
                       const ChunkSink& on_chunk);

 private:
  HttpRequest request(std::string method, const std::string& path, std::string body = {}) const;
  ApiResult<nlohmann::json> call(const HttpRequest& request);

  Transport& transport_;
  std::string token_;
  std::string base_path_;
  Timeouts timeouts_;
};

}  // namespace fical::client
