#pragma once
// The audit trail behind the AuditSink seam: records become rows of fical.db's audit table.
#include <functional>
#include <string>

#include "agent/api/audit_sink.hpp"
#include "agent/store/state_store.hpp"
#include "proto/deployment.hpp"
#include "proto/time.hpp"

namespace fical::agent::api {

/// The JSON line of a record: time, token_id, peer, action, target, result, status,
/// request_id, deployment_id (empty fields left out). Strings are cut to a bounded length.
nlohmann::json audit_line(const AuditRecord& record, proto::TimePoint time);

/// The record of a deployment that ended: action "deploy.finished" or
/// "rollback.finished", target "app/env@version", outcome its state.
AuditRecord finished_deployment_record(const proto::Deployment& deployment);

/// Queues every record in the store's group commit (no I/O on the caller's thread); a record
/// that cannot be queued is reported to `on_error` (the agent logs it) and never fails the API
/// call. recent() serves committed rows. Thread-safe (the StateStore is).
class AuditStoreSink final : public AuditSink {
 public:
  using ErrorHandler = std::function<void(const std::string& message)>;
  AuditStoreSink(store::StateStore& store, ErrorHandler on_error);

  void record(const AuditRecord& record) override;
  std::optional<std::vector<nlohmann::json>> recent(std::size_t limit) override;

 private:
  store::StateStore& store_;
  ErrorHandler on_error_;
};

}  // namespace fical::agent::api
