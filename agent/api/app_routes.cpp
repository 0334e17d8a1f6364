// Handlers of the routes under /v1/apps.
#include <charconv>
#include <string>

#include "agent/api/result_response.hpp"
#include "agent/api/route_handlers.hpp"
#include "proto/durations.hpp"
#include "proto/names.hpp"
#include "proto/requests.hpp"
#include "proto/time.hpp"

namespace fical::agent::api::routes {
namespace {

using proto::ErrorCode;

constexpr int kMaxTail = 10'000;
constexpr std::size_t kMaxIdempotencyKey = 128;

// The Idempotency-Key header: at most 128 visible ASCII characters.
std::optional<std::string> check_idempotency_key(std::string_view key) {
  if (key.size() > kMaxIdempotencyKey) return "Idempotency-Key: at most 128 characters";
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return "Idempotency-Key: only visible ASCII characters";
  }
  return std::nullopt;
}

Response accepted(const proto::Deployment& deployment) {
  auto response = json_response(202, proto::to_json(deployment, false));
  response.headers.emplace_back("Location", "/v1/deployments/" + deployment.id);
  return response;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text.empty()) return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

constexpr int kMaxDeploymentsListed = 100;

/// A whole number from 0 to max, or nullopt.
std::optional<int> parse_count(std::string_view value, int max) {
  int n = -1;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < 0 || n > max) return std::nullopt;
  return n;
}

// Reads the logs query parameters into `query`; a message naming the parameter on error.
std::optional<std::string> read_logs_query(const Request& request, LogsQuery& query) {
  for (const auto& [name, value] : request.query) {
    if (name == "service") {
      if (auto bad = proto::check_name("service", value)) return bad;
      query.service = value;
    } else if (name == "tail") {
      auto tail = parse_count(value, kMaxTail);
      if (!tail) return "tail: must be an integer from 0 to 10000";
      query.tail = *tail;
    } else if (name == "follow" || name == "timestamps") {
      auto flag = parse_bool(value);
      if (!flag) return name + ": must be true or false";
      (name == "follow" ? query.follow : query.timestamps) = *flag;
    } else if (name == "since") {
      // Parsed once, here: a time, or a duration before now.
      auto time = value.size() > 64 ? std::nullopt : proto::parse_time(value);
      auto ago = value.size() > 64 || time ? std::nullopt : proto::parse_duration(value);
      if (!time && !ago) return "since: must be a duration like 10m or an RFC 3339 time";
      query.since = time ? *time : proto::now_ms() - *ago;
    } else {
      return "unknown query parameter \"" + name.substr(0, 32) + "\"";
    }
  }
  return std::nullopt;
}

}  // namespace

Response list_apps(const Call& call, Deps& deps) {
  auto apps = nlohmann::json::array();
  for (const auto& app : deps.service.apps()) {
    if (allows_app(*call.token, app.name)) apps.push_back(proto::to_json(app));
  }
  return json_response(200, {{"apps", std::move(apps)}});
}

Response env_status(const Call& call, Deps& deps) {
  return respond(deps.service.env_status(call.param("app"), call.param("env")), [&](const proto::EnvStatus& status) {
    auto scope = status.app + "/" + status.env;
    Response response;
    if (auto body = deps.bodies->find(scope, status.cache_key)) {
      response.body = std::move(*body);
      return response;
    }
    response = json_response(200, to_json(status));
    deps.bodies->store(scope, status.cache_key, response.body);
    return response;
  });
}

Response releases(const Call& call, Deps& deps) {
  return respond(deps.service.releases(call.param("app"), call.param("env")),
                 [](const std::vector<proto::Release>& releases) {
                   auto list = nlohmann::json::array();
                   for (const auto& release : releases) list.push_back(proto::to_json(release));
                   return json_response(200, {{"releases", std::move(list)}});
                 });
}

Response deployments(const Call& call, Deps& deps) {
  int limit = 20;
  for (const auto& [name, value] : call.request.query) {
    if (name != "limit") {
      return error_response(ErrorCode::bad_request, "unknown query parameter \"" + name.substr(0, 32) + "\"");
    }
    auto n = parse_count(value, kMaxDeploymentsListed);
    if (!n || *n == 0) return error_response(ErrorCode::bad_request, "limit: must be an integer from 1 to 100");
    limit = *n;
  }
  return respond(deps.service.deployments(call.param("app"), call.param("env"), static_cast<std::size_t>(limit)),
                 [](const std::vector<proto::Deployment>& list) {
                   auto out = nlohmann::json::array();
                   for (const auto& d : list) out.push_back(proto::to_json(d, false));
                   return json_response(200, {{"deployments", std::move(out)}});
                 });
}

Response deploy(const Call& call, Deps& deps) {
  auto key = call.request.header("idempotency-key");
  if (auto bad = check_idempotency_key(key)) return error_response(ErrorCode::bad_request, *bad);
  auto decoded = proto::decode_deploy_request(call.request.body);
  if (auto* bad = std::get_if<proto::ApiError>(&decoded)) return error_response(*bad);
  DeployCommand command{call.param("app"), call.param("env"),
                        std::get<proto::DeployRequest>(decoded),
                        Actor{call.token->id, call.request.peer}, std::string(key)};
  return respond(deps.service.deploy(command), accepted);
}

Response rollback(const Call& call, Deps& deps) {
  auto key = call.request.header("idempotency-key");
  if (auto bad = check_idempotency_key(key)) return error_response(ErrorCode::bad_request, *bad);
  auto decoded = proto::decode_rollback_request(call.request.body);
  if (auto* bad = std::get_if<proto::ApiError>(&decoded)) return error_response(*bad);
  RollbackCommand command{call.param("app"), call.param("env"),
                          std::get<proto::RollbackRequest>(decoded),
                          Actor{call.token->id, call.request.peer}, std::string(key)};
  return respond(deps.service.rollback(command), accepted);
}

Response promote(const Call& call, Deps& deps) {
  auto key = call.request.header("idempotency-key");
  if (auto bad = check_idempotency_key(key)) return error_response(ErrorCode::bad_request, *bad);
  auto decoded = proto::decode_promote_request(call.request.body);
  if (auto* bad = std::get_if<proto::ApiError>(&decoded)) return error_response(*bad);
  PromoteCommand command{call.param("app"), call.param("env"), std::get<proto::PromoteRequest>(decoded),
                         Actor{call.token->id, call.request.peer}, std::string(key)};
  return respond(deps.service.promote(command), accepted);
}

Response logs(const Call& call, Deps&) {
  LogsQuery query;
  query.app = call.param("app");
  query.env = call.param("env");
  if (auto bad = read_logs_query(call.request, query)) {
    return error_response(ErrorCode::bad_request, *bad);
  }
  Response response;
  response.content_type = "text/plain; charset=utf-8";
  response.stream = LogStream{std::move(query)};
  return response;
}

}  // namespace fical::agent::api::routes
