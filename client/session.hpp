#pragma once
// What a command runs with: the process's streams and environment, and a ready AgentApi.
#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <variant>

#include "client/agent_api.hpp"
#include "client/agent_url.hpp"
#include "client/exit_code.hpp"
#include "client/transport.hpp"

namespace fical::client {

using TransportFactory =
    std::function<std::unique_ptr<Transport>(const AgentUrl& url, const std::string& ca_file)>;

/// The outside world of one run: streams, environment, terminal, and how to reach the agent.
struct Process {
  std::ostream& out;
  std::ostream& err;
  std::function<std::string(const char* name)> getenv;  // "" when unset
  bool out_is_tty = false;
  std::size_t width = 80;
  TransportFactory transport;
};

/// Global flags: --url, --token-file, --config, --ca-file.
struct GlobalOptions {
  std::string url;
  std::string token_file;
  std::string config_path = "/etc/fical/client.yaml";
  bool config_given = false;
  std::string ca_file;
};

/// A connection to the agent, made from the settings after every check passed.
struct Session {
  Process& process;
  AgentUrl url;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<AgentApi> api;
};

/// Resolves settings (flags > env > config > defaults), reads and checks the token, parses
/// the URL. On a problem, prints it on err and returns the exit code (2).
std::variant<std::unique_ptr<Session>, ExitCode> open_session(const GlobalOptions& options,
                                                              Process& process);

/// Prints why the agent refused (with hints for 401/403/409) and returns exit 3.
ExitCode report_refusal(Process& process, const proto::ApiError& error);
/// Prints that the agent could not be reached and returns exit 3.
ExitCode report_unreachable(Process& process, const TransportError& error);
/// Prints a usage problem (a bad value) and returns exit 2.
ExitCode report_usage(Process& process, const std::string& message);

}  // namespace fical::client
