#pragma once
// Where the agent listens, as given by --url / FICAL_URL / client.yaml.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace fical::client {

/// A parsed agent address: http://host:port, https://host[:port] or unix:/path/to/agent.sock.
struct AgentUrl {
  enum class Scheme { http, https, unix_socket };
  Scheme scheme = Scheme::http;
  std::string host;        // http(s): name or IP literal, without brackets
  std::uint16_t port = 0;  // http(s): explicit or the scheme's default
  std::string socket_path; // unix_socket: absolute path
  std::string base_path;   // http(s): path prefix before /v1/..., without a trailing '/'

  /// The Host header value: "host:port" (IPv6 bracketed) or "localhost" for a unix socket.
  std::string host_header() const;
  /// True for unix sockets and loopback IP literals or "localhost": a token sent in clear
  /// text does not leave the machine.
  bool is_local() const;
  /// For messages: the address as a person would write it.
  std::string display() const;
};

/// The URL, or a message saying what is wrong with it.
std::variant<AgentUrl, std::string> parse_agent_url(std::string_view text);

}  // namespace fical::client
