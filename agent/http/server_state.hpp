#pragma once
// What the server's accept loops and connections share; internal to agent/http.
#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "agent/api/handlers.hpp"
#include "agent/config/config.hpp"

namespace fical::agent::http {

/// Options, handlers' dependencies, counters and the shutdown flag, shared by every
/// connection. Thread-safety: atomics and a mutex for the closers; the rest is immutable.
struct ServerState {
  ServerState(config::HttpOptions http, api::Deps& handler_deps, std::size_t log_threads)
      : options(std::move(http)), deps(handler_deps), log_pool(log_threads),
        max_log_streams(log_threads) {}

  const config::HttpOptions options;
  api::Deps& deps;
  std::optional<boost::asio::ssl::context> tls;  // set when TCP listeners speak TLS

  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> log_streams{0};
  boost::asio::thread_pool log_pool;  // runs DeploymentService::logs, which blocks
  // Runs the handlers of writes (deploy, rollback, cancel...), which may block: a dry run
  // asks registries, build mode fetches git. Reads stay on the io threads, which also
  // feed the watchdog.
  static constexpr std::size_t kHandlerThreads = 4;
  boost::asio::thread_pool handler_pool{kHandlerThreads};
  const std::size_t max_log_streams;

  /// Each connection registers how to close it while it waits for a request.
  std::uint64_t add_idle_closer(std::function<void()> closer);
  void remove_idle_closer(std::uint64_t id);
  /// Shutdown: closes every connection that is not in the middle of a request.
  void close_idle_connections();

 private:
  std::mutex mutex_;
  std::uint64_t next_closer_ = 0;
  std::map<std::uint64_t, std::function<void()>> closers_;
};

}  // namespace fical::agent::http
