#include "client/session.hpp"

#include "client/report.hpp"
#include "client/settings.hpp"

namespace fical::client {

std::variant<std::unique_ptr<Session>, ExitCode> open_session(const GlobalOptions& options,
                                                              Process& process) {
  auto config = load_client_config(options.config_path, options.config_given);
  if (auto* problem = std::get_if<std::string>(&config)) return report_usage(process, *problem);
  SettingsLayer flags{options.url, "", options.token_file};
  SettingsLayer environment{process.getenv("FICAL_URL"), process.getenv("FICAL_TOKEN"),
                            process.getenv("FICAL_TOKEN_FILE")};
  auto settings = resolve_settings(flags, environment, std::get<SettingsLayer>(config),
                                   options.config_path);

  auto parsed = parse_agent_url(settings.url);
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    return report_usage(process, *problem + " (from " + settings.url_source + ")");
  }
  auto url = std::get<AgentUrl>(parsed);

  std::string token = settings.token;
  if (!token.empty()) {
    if (auto problem = check_token_value(token, settings.token_source)) {
      return report_usage(process, *problem);
    }
  } else if (!settings.token_file.empty()) {
    auto read = read_token_file(settings.token_file);
    if (!read.error.empty()) {
      return report_usage(process, read.error + " (from " + settings.token_source + ")");
    }
    token = std::move(read.token);
  }
  if (!token.empty() && url.scheme == AgentUrl::Scheme::http && !url.is_local()) {
    process.err << "fical-client: warning: sending the token in clear text to " << url.display()
                << "; use https:// or a unix: socket\n";
  }

  auto session = std::make_unique<Session>(Session{process, url, nullptr, nullptr});
  session->transport = process.transport(url, options.ca_file);
  session->api = std::make_unique<AgentApi>(*session->transport, token, url.base_path);
  return session;
}

ExitCode report_refusal(Process& process, const proto::ApiError& error) {
  process.err << "fical-client: the agent refused: " << to_string(error.code) << ": "
              << printable(error.message, 2000) << "\n";
  switch (error.code) {
    case proto::ErrorCode::unauthorized:
      process.err << "fical-client: check the token (--token-file, FICAL_TOKEN, "
                     "FICAL_TOKEN_FILE or token_file in the config file)\n";
      break;
    case proto::ErrorCode::forbidden:
      process.err << "fical-client: the token lacks the scope or the app for this request\n";
      break;
    case proto::ErrorCode::conflict:
      if (!error.deployment_id.empty()) {
        process.err << "fical-client: deployment " << printable(error.deployment_id, 128)
                    << " is running; follow it with: fical-client wait "
                    << printable(error.deployment_id, 128) << "\n";
      }
      break;
    case proto::ErrorCode::promotion_refused:
      process.err << "fical-client: nothing was changed (reason: " << printable(error.reason, 64) << ")\n";
      break;
    default:
      break;
  }
  return exit_code_for(error);
}

ExitCode report_unreachable(Process& process, const TransportError& error) {
  process.err << "fical-client: cannot reach the agent at " << printable(error.what(), 2000)
              << "\n";
  return ExitCode::unreachable;
}

ExitCode report_usage(Process& process, const std::string& message) {
  process.err << "fical-client: " << printable(message, 2000) << "\n";
  return ExitCode::usage;
}

}  // namespace fical::client
