#include "agent/api/request.hpp"

namespace fical::agent::api {

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

const std::string* Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

Response error_response(const proto::ApiError& error) {
  return json_response(proto::http_status(error.code), proto::to_json(error));
}

Response error_response(proto::ErrorCode code, std::string message) {
  return error_response(proto::ApiError{code, std::move(message), {}});
}

Response json_response(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.body = body.dump();
  response.body += '\n';
  return response;
}

}  // namespace fical::agent::api
