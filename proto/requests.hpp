#pragma once
// Request bodies the API accepts, decoded and validated at the edge.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace fical::proto {

/// POST /v1/apps/{app}/envs/{env}/deployments
struct DeployRequest {
  std::string version;
  bool dry_run = false;
};

/// POST /v1/apps/{app}/envs/{env}/rollback; an empty release means "the previous one".
struct RollbackRequest {
  std::string release;
  bool dry_run = false;
  bool current_env = false;  // run with today's env_file, not the env the release ran with
};

/// A decoded request, or a message naming the field that is wrong.
template <typename T>
using Decoded = std::variant<T, std::string>;

/// Strict: the body must be a JSON object, unknown fields are refused, values validated.
Decoded<DeployRequest> decode_deploy_request(std::string_view body);
Decoded<RollbackRequest> decode_rollback_request(std::string_view body);

std::string encode(const DeployRequest& request);
std::string encode(const RollbackRequest& request);

}  // namespace fical::proto
