#include "client/audit_command.hpp"

#include <memory>

#include "client/report.hpp"

namespace fical::client {
namespace {

std::string field(const nlohmann::json& record, const char* key) {
  if (!record.is_object() || !record.contains(key)) return {};
  const auto& value = record.at(key);
  return printable(value.is_string() ? value.get<std::string>() : value.dump(), 300);
}

}  // namespace

std::string audit_text_line(const nlohmann::json& record) {
  std::string line = field(record, "time") + "  " + field(record, "result") + "  " + field(record, "action") +
                     "  " + field(record, "target");
  for (const auto& [key, label] : {std::pair{"token_id", "token"}, std::pair{"peer", "peer"},
                                   std::pair{"status", "status"}, std::pair{"deployment_id", "deployment"}}) {
    auto value = field(record, key);
    if (!value.empty()) line += std::string("  ") + label + "=" + value;
  }
  return line + "\n";
}

ExitCode audit_command(const AuditOptions& options, const GlobalOptions& global, Process& process) {
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  auto& session = *std::get<std::unique_ptr<Session>>(opened);
  try {
    auto answer = session.api->get_json("/v1/audit?limit=" + std::to_string(options.limit));
    if (auto* error = std::get_if<proto::ApiError>(&answer)) return report_refusal(process, *error);
    const auto& body = std::get<nlohmann::json>(answer);
    if (!body.is_object() || !body.contains("records") || !body["records"].is_array()) {
      return report_refusal(process, {proto::ErrorCode::internal, "the agent answered without records", ""});
    }
    if (options.json) {
      process.out << body["records"].dump(2) << "\n";
    } else {
      for (const auto& record : body["records"]) process.out << audit_text_line(record);
    }
    return ExitCode::live;
  } catch (const TransportError& e) {
    return report_unreachable(process, e);
  }
}

void define_audit_command(CLI::App& app, std::function<ExitCode()>& action, const GlobalOptions& global,
                          Process& process) {
  auto options = std::make_shared<AuditOptions>();
  auto* audit = app.add_subcommand("audit", "Print the agent's latest audit log records (needs the admin scope)");
  audit->add_option("--limit", options->limit, "How many records, newest last")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  audit->add_flag("--json", options->json, "Print the records as a JSON array");
  audit->footer("Examples:\n  fical-client audit\n  fical-client audit --limit 200 --json");
  audit->callback([&action, &global, &process, options] {
    action = [&global, &process, options] { return audit_command(*options, global, process); };
  });
}

}  // namespace fical::client
