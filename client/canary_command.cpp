#include "client/canary_command.hpp"

#include <cstdio>
#include <memory>

#include "client/report.hpp"
#include "proto/names.hpp"

namespace fical::client {
namespace {

std::string text_of(const nlohmann::json& json, const char* key) {
  if (!json.is_object() || !json.contains(key)) return "-";
  const auto& value = json.at(key);
  return printable(value.is_string() ? value.get<std::string>() : value.dump(), 120);
}

std::string color_line(const char* label, const nlohmann::json& numbers) {
  if (!numbers.is_object()) return {};
  char ratio[32], p95[32];
  std::snprintf(ratio, sizeof ratio, "%.2f%%", numbers.value("error_ratio", 0.0) * 100);
  std::snprintf(p95, sizeof p95, "%.1fms", numbers.value("p95_ms", 0.0));
  return std::string("  ") + label + ": " + text_of(numbers, "requests") + " requests, " + text_of(numbers, "errors") +
         " errors (" + ratio + "), " + text_of(numbers, "failed_connects") + " failed connects, p95 " + p95 + "\n";
}

}  // namespace

std::string canary_status_text(const nlohmann::json& s) {
  std::string out = "deployment " + text_of(s, "deployment_id") + ": " + text_of(s, "state") + ", step " +
                    text_of(s, "step") + " of " + text_of(s, "steps") + ", " + text_of(s, "weight") + "% to " +
                    text_of(s, "canary_version") + " (" + text_of(s, "canary_color") + "), the rest to " +
                    text_of(s, "stable_version") + " (" + text_of(s, "stable_color") + ")\n";
  out += "  step elapsed " + text_of(s, "elapsed_ms") + "ms of " + text_of(s, "step_length_ms") + "ms\n";
  if (s.contains("requested")) out += "  requested: " + text_of(s, "requested") + "\n";
  if (auto it = s.find("verdict"); it != s.end() && it->is_object()) {
    out += "  verdict: " + text_of(*it, "outcome") + "\n";
    out += color_line("canary", it->value("canary", nlohmann::json()));
    out += color_line("stable", it->value("stable", nlohmann::json()));
  }
  return out;
}

ExitCode canary_command(const CanaryOptions& o, const GlobalOptions& global, Process& process) {
  if (auto problem = proto::check_name("--app", o.app)) return report_usage(process, *problem);
  if (auto problem = proto::check_name("--env", o.env)) return report_usage(process, *problem);
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  auto& session = *std::get<std::unique_ptr<Session>>(opened);
  auto path = "/v1/apps/" + o.app + "/envs/" + o.env + "/canary";
  try {
    auto answer = o.action == "status" ? session.api->get_json(path) : session.api->send_json("POST", path + "/" + o.action);
    if (auto* error = std::get_if<proto::ApiError>(&answer)) return report_refusal(process, *error);
    const auto& status = std::get<nlohmann::json>(answer);
    process.out << (o.json ? status.dump(2) + "\n" : canary_status_text(status));
    return ExitCode::live;
  } catch (const TransportError& e) {
    return report_unreachable(process, e);
  }
}

void define_canary_command(CLI::App& app, std::function<ExitCode()>& action, const GlobalOptions& global,
                           Process& process) {
  auto options = std::make_shared<CanaryOptions>();
  auto* canary = app.add_subcommand("canary", "Show, promote or abort the canary running in an environment");
  canary->add_option("action", options->action, "status, promote (100% now) or abort (weight 0, roll back now)")
      ->required()
      ->check(CLI::IsMember({"status", "promote", "abort"}));
  canary->add_option("--app", options->app, "App name")->required();
  canary->add_option("--env", options->env, "Environment name")->required();
  canary->add_flag("--json", options->json, "Print the agent's answer as JSON");
  canary->footer("Examples:\n  fical-client canary status --app web --env production\n"
                 "  fical-client canary abort --app web --env production");
  canary->callback([&action, &global, &process, options] {
    action = [&global, &process, options] { return canary_command(*options, global, process); };
  });
}

}  // namespace fical::client
