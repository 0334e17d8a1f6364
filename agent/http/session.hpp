#pragma once
// Connections: from an accepted socket to requests answered; internal to agent/http.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "agent/http/server_state.hpp"

namespace fical::agent::http {

/// Serves HTTP (or HTTPS when state.tls is set) on an accepted TCP socket, on the socket's
/// executor (a strand). The caller has counted it in state.connections.
void start_tcp_session(ServerState& state, boost::asio::ip::tcp::socket socket);
/// Serves HTTP on an accepted unix-socket connection.
void start_unix_session(ServerState& state, boost::asio::local::stream_protocol::socket socket);
/// Over the connection cap: answers 503 (plain HTTP) or just closes (TLS), then closes.
void reject_busy_tcp(ServerState& state, boost::asio::ip::tcp::socket socket);
void reject_busy_unix(ServerState& state, boost::asio::local::stream_protocol::socket socket);

}  // namespace fical::agent::http
