#include "proto/requests.hpp"

#include <initializer_list>
#include <nlohmann/json.hpp>

#include "proto/names.hpp"

namespace fical::proto {
namespace {

// Parses the body as a JSON object with only the allowed keys; sets `error` otherwise.
std::optional<nlohmann::json> parse_object(std::string_view body,
                                           std::initializer_list<std::string_view> allowed,
                                           std::string& error) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) {
    error = "body: not valid JSON";
    return std::nullopt;
  }
  if (!json.is_object()) {
    error = "body: must be a JSON object";
    return std::nullopt;
  }
  for (const auto& [key, value] : json.items()) {
    bool known = false;
    for (auto name : allowed) known = known || key == name;
    if (!known) {
      error = "body: unknown field \"" + key.substr(0, 64) + "\"";
      return std::nullopt;
    }
  }
  return json;
}

std::optional<std::string> read_bool(const nlohmann::json& json, const char* key, bool& out) {
  auto it = json.find(key);
  if (it == json.end()) return std::nullopt;
  if (!it->is_boolean()) return std::string(key) + ": must be true or false";
  out = it->get<bool>();
  return std::nullopt;
}

// The field checks say what is wrong as text; the decoders below make it the ApiError.
std::variant<DeployRequest, std::string> deploy_fields(std::string_view body) {
  std::string error;
  auto json = parse_object(body, {"version", "dry_run", "canary", "canary_steps"}, error);
  if (!json) return error;
  DeployRequest request;
  auto version = json->find("version");
  if (version == json->end()) return std::string("version: is required");
  if (!version->is_string()) return std::string("version: must be a string");
  request.version = version->get<std::string>();
  if (auto bad = check_version("version", request.version)) return *bad;
  if (auto bad = read_bool(*json, "dry_run", request.dry_run)) return *bad;
  if (auto bad = read_bool(*json, "canary", request.canary)) return *bad;
  if (auto steps = json->find("canary_steps"); steps != json->end() && !steps->is_null()) {
    if (!steps->is_string() || steps->get<std::string>().size() > 256)
      return std::string("canary_steps: must be a string like \"10:5m,50:5m\"");
    request.canary_steps = steps->get<std::string>();
    if (!request.canary) return std::string("canary_steps: needs canary: true");
  }
  return request;
}

std::variant<RollbackRequest, std::string> rollback_fields(std::string_view body) {
  RollbackRequest request;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;
  std::string error;
  auto json = parse_object(body, {"release", "dry_run", "current_env"}, error);
  if (!json) return error;
  if (auto release = json->find("release"); release != json->end() && !release->is_null()) {
    if (!release->is_string()) return std::string("release: must be a string");
    request.release = release->get<std::string>();
    if (auto bad = check_version("release", request.release)) return *bad;
  }
  if (auto bad = read_bool(*json, "dry_run", request.dry_run)) return *bad;
  if (auto bad = read_bool(*json, "current_env", request.current_env)) return *bad;
  return request;
}

std::variant<MaintenanceRequest, std::string> maintenance_fields(std::string_view body) {
  MaintenanceRequest request;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;
  std::string error;
  auto json = parse_object(body, {"message", "retry_after"}, error);
  if (!json) return error;
  if (auto message = json->find("message"); message != json->end() && !message->is_null()) {
    if (!message->is_string()) return std::string("message: must be a string");
    request.message = message->get<std::string>();
    if (request.message.size() > kMaxMaintenanceMessage) {
      return "message: at most " + std::to_string(kMaxMaintenanceMessage) + " bytes";
    }
    for (unsigned char c : request.message) {
      if (c < 0x20 || c == 0x7f) return std::string("message: no control characters");
    }
  }
  if (auto retry = json->find("retry_after"); retry != json->end() && !retry->is_null()) {
    if (!retry->is_number_integer() || retry->get<std::int64_t>() < 1 ||
        retry->get<std::int64_t>() > kMaxRetryAfterSeconds) {
      return "retry_after: must be whole seconds from 1 to " + std::to_string(kMaxRetryAfterSeconds);
    }
    request.retry_after_seconds = retry->get<std::int64_t>();
  }
  return request;
}

std::variant<PromoteRequest, std::string> promote_fields(std::string_view body) {
  std::string error;
  auto json = parse_object(body, {"from", "dry_run"}, error);
  if (!json) return error;
  PromoteRequest request;
  auto from = json->find("from");
  if (from == json->end()) return std::string("from: is required");
  if (!from->is_string()) return std::string("from: must be a string");
  request.from = from->get<std::string>();
  if (auto bad = check_name("from", request.from)) return *bad;
  if (auto bad = read_bool(*json, "dry_run", request.dry_run)) return *bad;
  return request;
}

template <typename T>
Result<T> as_result(std::variant<T, std::string> checked) {
  if (auto* bad = std::get_if<std::string>(&checked)) return ApiError{ErrorCode::bad_request, std::move(*bad), {}};
  return std::get<T>(std::move(checked));
}

}  // namespace

Result<DeployRequest> decode_deploy_request(std::string_view body) { return as_result(deploy_fields(body)); }
Result<RollbackRequest> decode_rollback_request(std::string_view body) { return as_result(rollback_fields(body)); }
Result<MaintenanceRequest> decode_maintenance_request(std::string_view body) {
  return as_result(maintenance_fields(body));
}
Result<PromoteRequest> decode_promote_request(std::string_view body) { return as_result(promote_fields(body)); }

std::string encode(const DeployRequest& request) {
  nlohmann::json json{{"version", request.version}};
  if (request.dry_run) json["dry_run"] = true;
  if (request.canary) json["canary"] = true;
  if (!request.canary_steps.empty()) json["canary_steps"] = request.canary_steps;
  return json.dump();
}

std::string encode(const RollbackRequest& request) {
  nlohmann::json json = nlohmann::json::object();
  if (!request.release.empty()) json["release"] = request.release;
  if (request.dry_run) json["dry_run"] = true;
  if (request.current_env) json["current_env"] = true;
  return json.dump();
}

std::string encode(const MaintenanceRequest& request) {
  return nlohmann::json{{"message", request.message}, {"retry_after", request.retry_after_seconds}}.dump();
}

std::string encode(const PromoteRequest& request) {
  nlohmann::json json{{"from", request.from}};
  if (request.dry_run) json["dry_run"] = true;
  return json.dump();
}

}  // namespace fical::proto
