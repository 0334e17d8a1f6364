#pragma once
// The seam for the audit log: the API reports auth failures and mutating calls here.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fical::agent::api {

/// One auditable API call. Never holds a token or a request body.
struct AuditRecord {
  std::string request_id;
  std::string token_id;  // empty when authentication failed
  std::string peer;
  std::string method;
  std::string route;     // the route pattern
  std::string path;      // the path as requested (names are validated before mutating calls)
  int status = 0;
  std::string outcome;   // "auth_failed", "forbidden", "rate_limited", "accepted", "refused"
  std::string deployment_id;
  // Set for events that are not an API call (a deployment finishing); otherwise the
  // action is "METHOD route" and the target the path.
  std::string action;
  std::string target;
};

/// Receives audit records and serves the latest (GET /v1/audit); the audit trail
/// (agent/api/audit_store_sink.hpp, the audit table of state_dir/fical.db) implements it.
/// Thread-safety: record() and recent() are called from the I/O threads concurrently.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(const AuditRecord& record) = 0;
  /// The last `limit` records as written (oldest first); std::nullopt when not kept.
  virtual std::optional<std::vector<nlohmann::json>> recent(std::size_t /*limit*/) { return std::nullopt; }
};

/// Drops every record: for builds without an audit log.
class NoAuditSink final : public AuditSink {
 public:
  void record(const AuditRecord&) override {}
};

}  // namespace fical::agent::api
