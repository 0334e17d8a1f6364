#pragma once
// The API's HTTP server: listeners from config, limits, TLS, graceful shutdown.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/api/handlers.hpp"
#include "agent/config/config.hpp"

namespace boost::asio {
class io_context;
}

namespace fical::agent::http {

struct ServerState;

/// Serves the API on every configured address with Beast and C++20 coroutines. Each
/// connection runs on its own strand; requests are read with a fresh parser, header and
/// body limits, a deadline per request and an idle keep-alive timeout. Connections beyond
/// max_connections are answered 503 and closed at once (they do not wait in accept).
/// Thread-safety: construct, listen() and start() on one thread; stop() from the
/// io_context (a signal handler); the io_context may run on several threads.
class Server {
 public:
  Server(boost::asio::io_context& io, const config::HttpOptions& options, api::Deps& deps);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Opens every listener (and loads TLS files). Throws std::runtime_error naming the
  /// address on failure, including a non-loopback TCP address without TLS or `insecure`.
  void listen();
  /// Starts accepting.
  void start();
  /// Stops accepting, closes connections waiting for a request, ends event and log
  /// streams; requests being handled finish. Idempotent.
  void stop();
  /// Open connections (for a bounded wait at shutdown).
  std::size_t connections() const;
  /// The bound port of each TCP listener, in config order (useful with port 0).
  std::vector<std::uint16_t> tcp_ports() const;

 private:
  struct Listeners;
  boost::asio::io_context& io_;
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<Listeners> listeners_;
};

}  // namespace fical::agent::http
