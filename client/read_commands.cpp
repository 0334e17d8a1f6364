// status, releases, history and logs: read-only questions to the agent.
#include <chrono>

#include "client/commands.hpp"
#include "client/status_text.hpp"
#include "proto/durations.hpp"
#include "proto/names.hpp"
#include "proto/time.hpp"

namespace fical::client {
namespace {

using std::chrono::milliseconds;

/// Opens a session and runs `body` with it, mapping transport and API failures to exit 3.
template <typename Body>
ExitCode with_session(const GlobalOptions& global, Process& process, Body body) {
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  auto& session = *std::get<std::unique_ptr<Session>>(opened);
  try {
    return body(*session.api);
  } catch (const TransportError& e) {
    return report_unreachable(process, e);
  }
}

template <typename T, typename Print>
ExitCode print_answer(Process& process, const ApiResult<T>& answer, Print print) {
  if (auto* error = std::get_if<proto::ApiError>(&answer)) return report_refusal(process, *error);
  print(std::get<T>(answer));
  return ExitCode::live;
}

nlohmann::json json_list(const auto& items) {
  auto list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(to_json(item));
  return list;
}

}  // namespace

ExitCode status_command(const StatusOptions& o, const GlobalOptions& global, Process& process) {
  if (o.app.empty() != o.env.empty()) {
    return report_usage(process, "status: give both --app and --env, or neither for all apps");
  }
  if (!o.app.empty()) {
    if (auto problem = proto::check_name("--app", o.app)) return report_usage(process, *problem);
    if (auto problem = proto::check_name("--env", o.env)) return report_usage(process, *problem);
  }
  return with_session(global, process, [&](AgentApi& api) {
    if (o.app.empty()) {
      return print_answer(process, api.apps(), [&](const auto& apps) {
        process.out << (o.json ? json_list(apps).dump(2) + "\n" : apps_table(apps));
      });
    }
    return print_answer(process, api.env_status(o.app, o.env), [&](const auto& status) {
      process.out << (o.json ? to_json(status).dump(2) + "\n" : env_status_text(status));
    });
  });
}

ExitCode releases_command(const StatusOptions& o, const GlobalOptions& global, Process& process) {
  if (auto problem = proto::check_name("--app", o.app)) return report_usage(process, *problem);
  if (auto problem = proto::check_name("--env", o.env)) return report_usage(process, *problem);
  return with_session(global, process, [&](AgentApi& api) {
    return print_answer(process, api.releases(o.app, o.env), [&](const auto& releases) {
      process.out << (o.json ? json_list(releases).dump(2) + "\n" : releases_table(releases));
    });
  });
}

ExitCode history_command(const HistoryOptions& o, const GlobalOptions& global, Process& process) {
  if (auto problem = proto::check_name("--app", o.app)) return report_usage(process, *problem);
  if (auto problem = proto::check_name("--env", o.env)) return report_usage(process, *problem);
  return with_session(global, process, [&](AgentApi& api) {
    return print_answer(process, api.deployments(o.app, o.env, o.limit), [&](const auto& list) {
      if (!o.json) {
        process.out << deployments_table(list);
        return;
      }
      auto out = nlohmann::json::array();
      for (const auto& d : list) out.push_back(proto::to_json(d, false));
      process.out << out.dump(2) << "\n";
    });
  });
}

ExitCode logs_command(const LogsOptions& o, const GlobalOptions& global, Process& process) {
  for (const auto& [flag, value] :
       {std::pair{"--app", o.app}, std::pair{"--env", o.env}, std::pair{"--service", o.service}}) {
    if (auto problem = proto::check_name(flag, value)) return report_usage(process, *problem);
  }
  if (!o.since.empty() && !proto::parse_duration(o.since) && !proto::parse_time(o.since)) {
    return report_usage(process, "--since: \"" + o.since.substr(0, 40) +
                                     "\" is neither a duration like 10m nor a time like "
                                     "2026-01-31T12:00:00Z");
  }
  return with_session(global, process, [&](AgentApi& api) {
    LogsRequest request{o.app, o.env, o.service, o.tail, o.follow, o.since};
    auto sink = [&](std::string_view chunk) {
      process.out << chunk << std::flush;
      return static_cast<bool>(process.out);
    };
    Timeouts timeouts;
    // Without --follow the agent sends the tail and ends; with it, a quiet container may
    // say nothing for long: the stream is reopened from where it went quiet.
    timeouts.idle = o.follow ? milliseconds(300'000) : milliseconds(60'000);
    while (true) {
      try {
        auto answer = api.logs(request, timeouts, sink);
        if (auto* error = std::get_if<proto::ApiError>(&answer)) {
          return report_refusal(process, *error);
        }
        return ExitCode::live;
      } catch (const TransportError& e) {
        if (!o.follow || e.kind() != TransportError::Kind::timeout) throw;
        request.since.clear();  // nothing came for the idle time: only new lines from now
        request.tail = 0;
      }
    }
  });
}

}  // namespace fical::client
