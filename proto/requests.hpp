#pragma once
// Request bodies the API accepts, decoded and validated at the edge.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/errors.hpp"

namespace fical::proto {

/// POST /v1/apps/{app}/envs/{env}/deployments
struct DeployRequest {
  std::string version;
  bool dry_run = false;
  bool canary = false;      // a canary even when the env's strategy is blue-green
  std::string canary_steps; // "10:5m,50:5m": the steps of this canary (with canary only)
};

/// POST /v1/apps/{app}/envs/{env}/rollback; an empty release means "the previous one".
struct RollbackRequest {
  std::string release;
  bool dry_run = false;
  bool current_env = false;  // run with today's env_file, not the env the release ran with
};

/// PUT /v1/apps/{app}/envs/{env}/maintenance: the page's message (at most
/// kMaxMaintenanceMessage bytes, no control characters) and Retry-After in seconds.
struct MaintenanceRequest {
  std::string message;
  std::int64_t retry_after_seconds = 600;
};
inline constexpr std::size_t kMaxMaintenanceMessage = 500;
inline constexpr std::int64_t kMaxRetryAfterSeconds = 7 * 24 * 3600;
/// POST /v1/apps/{app}/envs/{env}/promotions: the env whose live release is deployed here.
struct PromoteRequest {
  std::string from;
  bool dry_run = false;
};

/// Strict: the body must be a JSON object, unknown fields are refused, values validated.
/// A refusal is a bad_request ApiError whose message names the field that is wrong.
Result<DeployRequest> decode_deploy_request(std::string_view body);
Result<RollbackRequest> decode_rollback_request(std::string_view body);
/// An empty body: the defaults.
Result<MaintenanceRequest> decode_maintenance_request(std::string_view body);

std::string encode(const DeployRequest& request);
std::string encode(const RollbackRequest& request);
std::string encode(const MaintenanceRequest& request);
Result<PromoteRequest> decode_promote_request(std::string_view body);
std::string encode(const PromoteRequest& request);

}  // namespace fical::proto
