#include "client/maintenance_command.hpp"

#include <memory>

#include "client/report.hpp"
#include "proto/durations.hpp"
#include "proto/names.hpp"
#include "proto/requests.hpp"

namespace fical::client {

ExitCode maintenance_command(const MaintenanceOptions& o, const GlobalOptions& global, Process& process) {
  if (auto problem = proto::check_name("--app", o.app)) return report_usage(process, *problem);
  if (auto problem = proto::check_name("--env", o.env)) return report_usage(process, *problem);
  proto::MaintenanceRequest request{o.message, 0};
  if (o.on) {
    auto retry = proto::parse_duration(o.retry_after);
    auto seconds = retry ? std::chrono::duration_cast<std::chrono::seconds>(*retry).count() : 0;
    if (!retry || seconds < 1 || seconds > proto::kMaxRetryAfterSeconds) {
      return report_usage(process, "--retry-after: a duration from 1s to 168h, like 10m");
    }
    request.retry_after_seconds = seconds;
    if (o.message.size() > proto::kMaxMaintenanceMessage) {
      return report_usage(process, "--message: at most " + std::to_string(proto::kMaxMaintenanceMessage) + " bytes");
    }
  }
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  auto& session = *std::get<std::unique_ptr<Session>>(opened);
  auto path = "/v1/apps/" + o.app + "/envs/" + o.env + "/maintenance";
  try {
    auto answer = o.on ? session.api->send_json("PUT", path, proto::encode(request))
                       : session.api->send_json("DELETE", path);
    if (auto* error = std::get_if<proto::ApiError>(&answer)) return report_refusal(process, *error);
    const auto& body = std::get<nlohmann::json>(answer);
    if (o.json) {
      process.out << body.dump(2) << "\n";
    } else if (o.on) {
      process.out << "maintenance on for " << o.app << "/" << o.env << ": its routes answer 503 with Retry-After "
                  << request.retry_after_seconds << "s\n";
    } else {
      bool was_on = body.is_object() && body.value("was_on", false);
      process.out << "maintenance off for " << o.app << "/" << o.env
                  << (was_on ? ": it serves again\n" : ": it was not in maintenance\n");
    }
    return ExitCode::live;
  } catch (const TransportError& e) {
    return report_unreachable(process, e);
  }
}

void define_maintenance_command(CLI::App& app, std::function<ExitCode()>& action, const GlobalOptions& global,
                                Process& process) {
  auto* maintenance = app.add_subcommand(
      "maintenance", "Put an environment's routes in maintenance (503 and a page) or take them out");
  maintenance->require_subcommand(1);
  for (bool on : {true, false}) {
    auto options = std::make_shared<MaintenanceOptions>();
    options->on = on;
    auto* command = maintenance->add_subcommand(
        on ? "on" : "off", on ? "nginx answers the environment's routes with 503, Retry-After and a page; "
                                "deploys and rollbacks still work (their verify passes the page)"
                              : "The environment's routes serve the live release again");
    command->add_option("--app", options->app, "App name")->required();
    command->add_option("--env", options->env, "Environment name")->required();
    if (on) {
      command->add_option("--message", options->message, "Text of the page (plain text, at most 500 bytes)");
      command->add_option("--retry-after", options->retry_after, "The Retry-After users get: 30s, 10m, 2h (1s to 168h)")
          ->capture_default_str();
    }
    command->add_flag("--json", options->json, "Print the agent's answer as JSON");
    command->callback([&action, &global, &process, options] {
      action = [&global, &process, options] { return maintenance_command(*options, global, process); };
    });
  }
  maintenance->footer(
      "Examples:\n"
      "  fical-client maintenance on --app web --env production --message \"Back at 14:00 UTC\" --retry-after 30m\n"
      "  fical-client maintenance off --app web --env production\n\n"
      "Exit codes: 0 done, 2 usage, 3 agent unreachable or refused (409 while a deployment runs).");
}

}  // namespace fical::client
