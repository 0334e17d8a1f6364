#pragma once
// The audit log behind the AuditSink seam: records become JSON lines in state_dir/audit.log.
#include <functional>
#include <string>

#include "agent/api/audit_sink.hpp"
#include "agent/store/json_lines_log.hpp"
#include "proto/deployment.hpp"
#include "proto/time.hpp"

namespace fical::agent::api {

/// The JSON line of a record: time, token_id, peer, action, target, result, status,
/// request_id, deployment_id (empty fields left out). Strings are cut to a bounded length.
nlohmann::json audit_line(const AuditRecord& record, proto::TimePoint time);

/// The record of a deployment that ended: action "deploy.finished" or
/// "rollback.finished", target "app/env@version", outcome its state.
AuditRecord finished_deployment_record(const proto::Deployment& deployment);

/// Writes every record to a JsonLinesLog; a failed write is reported to `on_error` (the agent
/// logs it) and never fails the API call. Thread-safe (the JsonLinesLog locks).
class AuditLogSink final : public AuditSink {
 public:
  using ErrorHandler = std::function<void(const std::string& message)>;
  AuditLogSink(store::JsonLinesLog& log, ErrorHandler on_error);

  void record(const AuditRecord& record) override;
  std::optional<std::vector<nlohmann::json>> recent(std::size_t limit) override;

 private:
  store::JsonLinesLog& log_;
  ErrorHandler on_error_;
};

}  // namespace fical::agent::api
