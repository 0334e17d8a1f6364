// deploy, rollback, promote, wait and cancel: ask the agent, then watch the deployment to its end.
#include <algorithm>
#include <chrono>
#include <thread>

#include "client/commands.hpp"
#include "client/watch.hpp"
#include "proto/durations.hpp"
#include "proto/names.hpp"

namespace fical::client {
namespace {

using Steady = std::chrono::steady_clock;

// An agent that answers 503 is starting (waiting for Docker) or restarting: the request is
// sent again, for at most this long (and within --timeout), e.g. by SSM right after boot.
constexpr auto kUnavailableWait = std::chrono::minutes(2);
constexpr auto kUnavailableRetry = std::chrono::milliseconds(250);

std::optional<std::string> first_problem(std::initializer_list<std::optional<std::string>> checks) {
  for (const auto& problem : checks) {
    if (problem) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> check_timeout(const WaitFlags& flags) {
  auto timeout = proto::parse_duration(flags.timeout);
  if (!timeout || timeout->count() <= 0) {
    return "--timeout: \"" + flags.timeout.substr(0, 40) +
           "\" is not a duration like 90s, 15m or 1h (at most 7 days)";
  }
  return std::nullopt;
}

std::optional<std::string> check_id(const std::string& id) {
  if (auto problem = proto::check_version("deployment id", id)) return problem;
  return std::nullopt;
}

OutputMode output_mode(const WaitFlags& flags, const Process& process) {
  if (flags.json) return OutputMode::json;
  return process.out_is_tty ? OutputMode::tty : OutputMode::plain;
}

/// Watches an accepted deployment to its end (or --timeout) and maps the outcome.
ExitCode follow(Session& session, const proto::Deployment& accepted, const WaitFlags& flags,
                Steady::time_point started) {
  auto& process = session.process;
  auto view = make_progress_view(output_mode(flags, process), process.out, process.width);
  view->started(accepted);
  WatchOptions options;
  options.deadline = started + *proto::parse_duration(flags.timeout);
  options.deadline_text = "the --timeout of " + flags.timeout;
  auto outcome = watch_deployment(*session.api, accepted, *view, options);
  if (outcome.refused) return report_refusal(process, *outcome.refused);
  if (!outcome.ended) {
    if (flags.json) {
      process.err << "fical-client: timed out; deployment " << accepted.id
                  << " goes on. Follow it with: fical-client wait " << accepted.id << "\n";
    }
    return ExitCode::timed_out;
  }
  return exit_code_for(outcome.last.state);
}

/// Sends the request (deploy or rollback), then follows or (--no-wait) prints the id.
template <typename Send>
ExitCode start_and_follow(Session& session, const WaitFlags& flags, Send send) {
  auto started = Steady::now();
  auto& process = session.process;
  auto retry_until = started + std::min<Steady::duration>(kUnavailableWait, *proto::parse_duration(flags.timeout));
  try {
    auto answer = send(*session.api);
    for (bool told = false; std::holds_alternative<proto::ApiError>(answer); told = true) {
      const auto& error = std::get<proto::ApiError>(answer);
      if (error.code != proto::ErrorCode::unavailable || Steady::now() + kUnavailableRetry >= retry_until) {
        return report_refusal(process, error);
      }
      if (!told) process.err << "fical-client: " << error.message << "; asking again for up to 2 minutes\n";
      std::this_thread::sleep_for(kUnavailableRetry);
      answer = send(*session.api);
    }
    const auto& accepted = std::get<proto::Deployment>(answer);
    if (flags.no_wait) {
      if (flags.json) {
        process.out << to_json(accepted).dump(2) << "\n";
      } else {
        process.out << accepted.id << "\n";
      }
      return ExitCode::live;
    }
    return follow(session, accepted, flags, started);
  } catch (const TransportError& e) {
    return report_unreachable(process, e);
  }
}

/// What deploy, rollback and promote share once their own flags were checked: the
/// idempotency key checked, a session opened, the request sent and followed.
template <typename Send>
ExitCode send_and_follow(const std::string& idempotency_key, const WaitFlags& flags, const GlobalOptions& global,
                         Process& process, Send send) {
  if (!idempotency_key.empty()) {
    if (auto problem = proto::check_version("--idempotency-key", idempotency_key)) {
      return report_usage(process, *problem);
    }
  }
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  return start_and_follow(*std::get<std::unique_ptr<Session>>(opened), flags, send);
}

}  // namespace

ExitCode deploy_command(const DeployOptions& o, const GlobalOptions& global, Process& process) {
  if (auto problem = first_problem({proto::check_name("--app", o.app),
                                    proto::check_name("--env", o.env),
                                    proto::check_version("--version", o.version),
                                    check_timeout(o.wait)})) {
    return report_usage(process, *problem);
  }
  if (!o.steps.empty() && !o.canary) return report_usage(process, "--steps: needs --canary");
  return send_and_follow(o.idempotency_key, o.wait, global, process, [&](AgentApi& api) {
    return api.deploy(o.app, o.env, proto::DeployRequest{o.version, o.dry_run, o.canary, o.steps},
                      o.idempotency_key);
  });
}

ExitCode rollback_command(const RollbackOptions& o, const GlobalOptions& global,
                          Process& process) {
  if (auto problem = first_problem({proto::check_name("--app", o.app),
                                    proto::check_name("--env", o.env), check_timeout(o.wait)})) {
    return report_usage(process, *problem);
  }
  if (!o.release.empty()) {
    if (auto problem = proto::check_version("--release", o.release)) return report_usage(process, *problem);
  }
  return send_and_follow(o.idempotency_key, o.wait, global, process, [&](AgentApi& api) {
    return api.rollback(o.app, o.env, proto::RollbackRequest{o.release, o.dry_run, o.current_env},
                        o.idempotency_key);
  });
}

ExitCode promote_command(const PromoteOptions& o, const GlobalOptions& global, Process& process) {
  if (auto problem = first_problem({proto::check_name("--app", o.app), proto::check_name("--from", o.from),
                                    proto::check_name("--to", o.to), check_timeout(o.wait)})) {
    return report_usage(process, *problem);
  }
  if (o.from == o.to) return report_usage(process, "--from and --to name the same environment: " + o.to);
  return send_and_follow(o.idempotency_key, o.wait, global, process, [&](AgentApi& api) {
    return api.promote(o.app, o.to, proto::PromoteRequest{o.from, o.dry_run}, o.idempotency_key);
  });
}

ExitCode wait_command(const std::string& id, const WaitFlags& flags, const GlobalOptions& global,
                      Process& process) {
  if (auto problem = first_problem({check_id(id), check_timeout(flags)})) {
    return report_usage(process, *problem);
  }
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  auto& session = *std::get<std::unique_ptr<Session>>(opened);
  WaitFlags waiting = flags;
  waiting.no_wait = false;
  return start_and_follow(session, waiting, [&](AgentApi& api) { return api.deployment(id); });
}

ExitCode cancel_command(const std::string& id, bool json, const GlobalOptions& global,
                        Process& process) {
  if (auto problem = check_id(id)) return report_usage(process, *problem);
  auto opened = open_session(global, process);
  if (auto* code = std::get_if<ExitCode>(&opened)) return *code;
  auto& session = *std::get<std::unique_ptr<Session>>(opened);
  try {
    auto answer = session.api->cancel(id);
    if (auto* error = std::get_if<proto::ApiError>(&answer)) return report_refusal(process, *error);
    const auto& d = std::get<proto::Deployment>(answer);
    if (json) {
      process.out << to_json(d).dump(2) << "\n";
    } else {
      process.out << "cancel requested for deployment " << d.id << " (" << d.app << "/" << d.env
                  << " " << d.version << ", now " << to_string(d.state) << " in phase "
                  << to_string(d.phase) << "); follow it with: fical-client wait " << d.id << "\n";
    }
    return ExitCode::live;
  } catch (const TransportError& e) {
    return report_unreachable(process, e);
  }
}

}  // namespace fical::client
