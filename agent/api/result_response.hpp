#pragma once
// Turning DeploymentService results into responses; internal to agent/api.
#include <utility>
#include <variant>

#include "agent/api/request.hpp"

namespace fical::agent::api {

/// The error's response, or `make(value)` for a value.
template <typename T, typename Make>
Response respond(const Result<T>& result, Make&& make) {
  if (const auto* error = std::get_if<proto::ApiError>(&result)) return error_response(*error);
  return std::forward<Make>(make)(std::get<T>(result));
}

}  // namespace fical::agent::api
