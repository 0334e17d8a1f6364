#include "agent/api/audit_log_sink.hpp"

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

AuditLogSink::AuditLogSink(store::JsonLinesLog& log, ErrorHandler on_error)
    : log_(log), on_error_(std::move(on_error)) {}

void AuditLogSink::record(const AuditRecord& record) {
  try {
    log_.append(audit_line(record, proto::now_ms()));
  } catch (const std::exception& e) {
    if (on_error_) on_error_(std::string("audit log: ") + e.what());
  }
}

std::optional<std::vector<nlohmann::json>> AuditLogSink::recent(std::size_t limit) {
  return log_.tail(limit);
}

}  // namespace fical::agent::api
