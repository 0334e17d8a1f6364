#include "client/agent_api.hpp"

#include <utility>

namespace fical::client {
namespace {

bool is_success(int status) { return status >= 200 && status < 300; }

proto::ApiError unexpected(const std::string& what) {
  return {proto::ErrorCode::internal, "the agent answered with unexpected JSON: " + what, ""};
}

// Decodes `json` with `decode`, turning a JSON type error into an ApiError.
template <typename T, typename Decode>
ApiResult<T> decoded(const ApiResult<nlohmann::json>& answer, Decode decode) {
  if (auto* error = std::get_if<proto::ApiError>(&answer)) return *error;
  try {
    return decode(std::get<nlohmann::json>(answer));
  } catch (const nlohmann::json::exception& e) {
    return unexpected(e.what());
  }
}

// A list answer may be a bare array or an object holding it under `key`.
const nlohmann::json& list_in(const nlohmann::json& json, const char* key) {
  if (json.is_object() && json.contains(key)) return json.at(key);
  if (!json.is_array()) throw nlohmann::json::type_error::create(302, "expected a list", &json);
  return json;
}

// A deployment answer may be the record itself or {"deployment": {...}}.
proto::Deployment deployment_in(const nlohmann::json& json) {
  if (json.is_object() && json.contains("deployment") && !json.contains("id")) {
    return proto::deployment_from_json(json.at("deployment"));
  }
  return proto::deployment_from_json(json);
}

}  // namespace

AgentApi::AgentApi(Transport& transport, std::string token, std::string base_path,
                   Timeouts timeouts)
    : transport_(transport),
      token_(std::move(token)),
      base_path_(std::move(base_path)),
      timeouts_(timeouts) {}

HttpRequest AgentApi::request(std::string method, const std::string& path,
                              std::string body) const {
  HttpRequest req{std::move(method), base_path_ + path, std::move(body), {}};
  req.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!req.body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  return req;
}

ApiResult<nlohmann::json> AgentApi::get_json(const std::string& path_and_query) {
  return call(request("GET", path_and_query));
}

ApiResult<nlohmann::json> AgentApi::post_json(const std::string& path) { return call(request("POST", path)); }

ApiResult<nlohmann::json> AgentApi::call(const HttpRequest& req) {
  auto response = transport_.send(req, timeouts_);
  if (!is_success(response.status)) return proto::api_error_from_body(response.status, response.body);
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) return unexpected("not JSON: " + response.body.substr(0, 120));
  return json;
}

ApiResult<proto::Deployment> AgentApi::deploy(const std::string& app, const std::string& env,
                                              const proto::DeployRequest& body,
                                              const std::string& idempotency_key) {
  auto req = request("POST", "/v1/apps/" + app + "/envs/" + env + "/deployments", encode(body));
  if (!idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", idempotency_key);
  return decoded<proto::Deployment>(call(req), deployment_in);
}

ApiResult<proto::Deployment> AgentApi::rollback(const std::string& app, const std::string& env,
                                                const proto::RollbackRequest& body,
                                                const std::string& idempotency_key) {
  auto req = request("POST", "/v1/apps/" + app + "/envs/" + env + "/rollback", encode(body));
  if (!idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", idempotency_key);
  return decoded<proto::Deployment>(call(req), deployment_in);
}

ApiResult<proto::Deployment> AgentApi::deployment(const std::string& id) {
  return decoded<proto::Deployment>(call(request("GET", "/v1/deployments/" + id)), deployment_in);
}

ApiResult<proto::Deployment> AgentApi::cancel(const std::string& id) {
  return decoded<proto::Deployment>(call(request("POST", "/v1/deployments/" + id + "/cancel")),
                                    deployment_in);
}

ApiResult<proto::EnvStatus> AgentApi::env_status(const std::string& app, const std::string& env) {
  return decoded<proto::EnvStatus>(call(request("GET", "/v1/apps/" + app + "/envs/" + env)),
                                   [](const nlohmann::json& j) { return proto::env_status_from_json(j); });
}

ApiResult<std::vector<proto::AppSummary>> AgentApi::apps() {
  return decoded<std::vector<proto::AppSummary>>(
      call(request("GET", "/v1/apps")), [](const nlohmann::json& j) {
        std::vector<proto::AppSummary> apps;
        for (const auto& item : list_in(j, "apps")) apps.push_back(proto::app_summary_from_json(item));
        return apps;
      });
}

ApiResult<std::vector<proto::Release>> AgentApi::releases(const std::string& app,
                                                          const std::string& env) {
  return decoded<std::vector<proto::Release>>(
      call(request("GET", "/v1/apps/" + app + "/envs/" + env + "/releases")),
      [](const nlohmann::json& j) {
        std::vector<proto::Release> releases;
        for (const auto& item : list_in(j, "releases")) releases.push_back(proto::release_from_json(item));
        return releases;
      });
}

ApiResult<std::vector<proto::Deployment>> AgentApi::deployments(const std::string& app, const std::string& env,
                                                                int limit) {
  return decoded<std::vector<proto::Deployment>>(
      call(request("GET", "/v1/apps/" + app + "/envs/" + env + "/deployments?limit=" + std::to_string(limit))),
      [](const nlohmann::json& j) {
        std::vector<proto::Deployment> list;
        for (const auto& item : list_in(j, "deployments")) list.push_back(proto::deployment_from_json(item));
        return list;
      });
}

ApiResult<bool> AgentApi::events(const std::string& id, std::uint64_t from,
                                 const Timeouts& timeouts,
                                 const std::function<void(const proto::Event&)>& on_event) {
  auto req = request("GET", "/v1/deployments/" + id + "/events?from=" + std::to_string(from));
  req.headers[0].second = "application/x-ndjson";
  LineSplitter lines;
  std::string bad_line;
  auto response = transport_.stream(req, timeouts, [&](std::string_view chunk) {
    return lines.feed(chunk, [&](std::string_view line) {
      if (line.empty() || !bad_line.empty()) return;
      try {
        auto json = nlohmann::json::parse(line);
        if (json.is_object() && !json.contains("seq")) return;  // not an event: skip
        on_event(proto::event_from_json(json));
      } catch (const nlohmann::json::exception& e) {
        bad_line = e.what();
      }
    }) && bad_line.empty();
  });
  if (!is_success(response.status)) return proto::api_error_from_body(response.status, response.body);
  if (!bad_line.empty()) return unexpected("in the event stream: " + bad_line);
  return true;
}

ApiResult<bool> AgentApi::logs(const LogsRequest& r, const Timeouts& timeouts,
                               const ChunkSink& on_chunk) {
  std::string path = "/v1/apps/" + r.app + "/envs/" + r.env + "/logs?service=" + r.service +
                     "&tail=" + std::to_string(r.tail) + (r.follow ? "&follow=true" : "");
  if (!r.since.empty()) path += "&since=" + r.since;
  auto req = request("GET", path);
  req.headers[0].second = "text/plain";
  auto response = transport_.stream(req, timeouts, on_chunk);
  if (!is_success(response.status)) return proto::api_error_from_body(response.status, response.body);
  return true;
}

}  // namespace fical::client
