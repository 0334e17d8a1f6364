// GET /v1/audit: the latest records of the audit log (admin scope).
#include <charconv>

#include "agent/api/route_handlers.hpp"

namespace fical::agent::api::routes {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

}  // namespace

Response audit(const Call& call, Deps& deps) {
  int limit = kDefaultLimit;
  for (const auto& [name, value] : call.request.query) {
    if (name != "limit") {
      return error_response(proto::ErrorCode::bad_request, "unknown query parameter \"" + name.substr(0, 32) + "\"");
    }
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
    if (ec != std::errc{} || end != value.data() + value.size() || limit < 1 || limit > kMaxLimit) {
      return error_response(proto::ErrorCode::bad_request, "limit: must be an integer from 1 to 1000");
    }
  }
  auto records = deps.audit.recent(static_cast<std::size_t>(limit));
  if (!records) return error_response(proto::ErrorCode::not_found, "this agent keeps no audit log");
  return json_response(200, {{"records", std::move(*records)}});
}

}  // namespace fical::agent::api::routes
