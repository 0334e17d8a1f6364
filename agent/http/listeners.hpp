#pragma once
// Opening the configured listeners; internal to agent/http.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <vector>

#include "agent/config/config.hpp"

namespace fical::agent::http {

/// The sockets the server accepts on.
struct OpenListeners {
  std::vector<boost::asio::ip::tcp::acceptor> tcp;
  std::vector<boost::asio::local::stream_protocol::acceptor> unix_sockets;
  std::vector<std::string> unix_paths;  // removed at shutdown
};

/// Opens every address of `options`. Throws std::runtime_error naming the address: a
/// non-loopback TCP address without TLS or `insecure`, a bind failure, a unix socket path
/// that exists and is not a socket or that another process answers on.
OpenListeners open_listeners(boost::asio::io_context& io, const config::HttpOptions& options);

/// TLS 1.2+ server context from PEM files. Throws std::runtime_error naming the file.
boost::asio::ssl::context make_tls_context(const config::TlsFiles& files);

/// Removes a stale unix socket file: only when it is a socket nobody answers on. Throws
/// when `path` exists and is not a socket or is in use.
void remove_stale_unix_socket(const std::string& path);

}  // namespace fical::agent::http
