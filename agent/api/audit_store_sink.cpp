#include "agent/api/audit_store_sink.hpp"

#include <exception>

namespace fical::agent::api {
namespace {

constexpr std::size_t kMaxField = 256;

void put(nlohmann::json& line, const char* key, const std::string& value) {
  if (!value.empty()) line[key] = value.substr(0, kMaxField);
}

}  // namespace

nlohmann::json audit_line(const AuditRecord& record, proto::TimePoint time) {
  nlohmann::json line = nlohmann::json::object();
  line["time"] = proto::format_time(time);
  put(line, "token_id", record.token_id);
  put(line, "peer", record.peer);
  put(line, "action", record.action.empty() ? record.method + " " + record.route : record.action);
  put(line, "target", record.target.empty() ? record.path : record.target);
  put(line, "result", record.outcome);
  if (record.status != 0) line["status"] = record.status;
  put(line, "request_id", record.request_id);
  put(line, "deployment_id", record.deployment_id);
  return line;
}

AuditRecord finished_deployment_record(const proto::Deployment& deployment) {
  AuditRecord record;
  record.token_id = deployment.actor;
  record.action = std::string(proto::to_string(deployment.kind)) + ".finished";
  record.target = deployment.app + "/" + deployment.env + "@" + deployment.version;
  record.outcome = std::string(proto::to_string(deployment.state));
  record.deployment_id = deployment.id;
  return record;
}

AuditStoreSink::AuditStoreSink(store::StateStore& store, ErrorHandler on_error)
    : store_(store), on_error_(std::move(on_error)) {}

void AuditStoreSink::record(const AuditRecord& record) {
  try {
    auto time = proto::now_ms();
    store_.queue_audit(time, audit_line(record, time));
  } catch (const std::exception& e) {
    if (on_error_) on_error_(std::string("audit trail: ") + e.what());
  }
}

std::optional<std::vector<nlohmann::json>> AuditStoreSink::recent(std::size_t limit) {
  return store_.recent_audit(limit);
}

}  // namespace fical::agent::api
