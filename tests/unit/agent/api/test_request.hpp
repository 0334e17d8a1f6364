#pragma once
// Requests as the server hands them to handle(), for handler unit tests.
#include <string>
#include <utility>

#include "agent/api/request.hpp"

namespace fical::agent::api::testing {

/// A request from 127.0.0.1:5000, with a bearer token when `secret` is not empty.
inline Request test_request(std::string method, std::string path, const std::string& secret,
                            std::string body, Fields query, std::string request_id) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.query = std::move(query);
  if (!secret.empty()) request.headers.emplace_back("authorization", "Bearer " + secret);
  request.body = std::move(body);
  request.peer = "127.0.0.1:5000";
  request.peer_address = "127.0.0.1";
  request.request_id = std::move(request_id);
  return request;
}

}  // namespace fical::agent::api::testing
