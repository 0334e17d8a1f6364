#pragma once
// The seam for the audit log: the API reports auth failures and mutating calls here.
#include <string>

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
};

/// Receives audit records; the audit log (state_dir/audit.log) implements it later.
/// Thread-safety: record() is called from the I/O threads concurrently.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(const AuditRecord& record) = 0;
};

/// Drops every record: for builds without an audit log.
class NoAuditSink final : public AuditSink {
 public:
  void record(const AuditRecord&) override {}
};

}  // namespace fical::agent::api
