#include "agent/http/server.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio.hpp>

#include "agent/http/listeners.hpp"
#include "agent/http/server_state.hpp"
#include "agent/http/session.hpp"

namespace fical::agent::http {
namespace {

namespace net = boost::asio;
constexpr std::size_t kLogThreads = 4;

// Accepts until the acceptor closes; each connection gets its own strand.
template <class Acceptor, class Start, class Reject>
net::awaitable<void> accept_loop(ServerState& state, Acceptor& acceptor, net::io_context& io,
                                 Start start, Reject reject) {
  for (;;) {
    boost::system::error_code ec;
    auto socket = co_await acceptor.async_accept(net::make_strand(io),
                                                 net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || state.stopping || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and the like: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      net::steady_timer pause{io, std::chrono::milliseconds(100)};
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    if (++state.connections > state.options.max_connections) {
      reject(state, std::move(socket));
    } else {
      start(state, std::move(socket));
    }
  }
}

}  // namespace

std::uint64_t ServerState::add_idle_closer(std::function<void()> closer) {
  std::lock_guard lock(mutex_);
  closers_.emplace(++next_closer_, std::move(closer));
  return next_closer_;
}

void ServerState::remove_idle_closer(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  closers_.erase(id);
}

void ServerState::close_idle_connections() {
  std::lock_guard lock(mutex_);
  for (auto& [id, close] : closers_) close();
}

struct Server::Listeners {
  OpenListeners open;
  net::strand<net::io_context::executor_type> strand;  // serialises accepts and close()
};

Server::Server(net::io_context& io, const config::HttpOptions& options, api::Deps& deps)
    : io_(io), state_(std::make_unique<ServerState>(options, deps, kLogThreads)) {}

Server::~Server() {
  state_->stopping = true;
  state_->log_pool.join();
  state_->handler_pool.join();
}

void Server::listen() {
  if (state_->options.tls) state_->tls.emplace(make_tls_context(*state_->options.tls));
  listeners_ = std::make_unique<Listeners>(
      Listeners{open_listeners(io_, state_->options), net::make_strand(io_)});
  for (const auto& address : state_->options.listen) {
    spdlog::info("listening on {}{}", address.text,
                 address.kind == config::ListenAddress::Kind::tcp && state_->tls ? " (TLS)" : "");
  }
}

void Server::start() {
  auto on_end = [](std::exception_ptr error) {
    if (error) spdlog::error("an accept loop ended by an exception");
  };
  for (auto& acceptor : listeners_->open.tcp) {
    net::co_spawn(listeners_->strand,
                  accept_loop(*state_, acceptor, io_, start_tcp_session, reject_busy_tcp), on_end);
  }
  for (auto& acceptor : listeners_->open.unix_sockets) {
    net::co_spawn(listeners_->strand,
                  accept_loop(*state_, acceptor, io_, start_unix_session, reject_busy_unix), on_end);
  }
}

void Server::stop() {
  if (state_->stopping.exchange(true)) return;
  if (listeners_) {
    net::post(listeners_->strand, [listeners = listeners_.get()] {
      boost::system::error_code ec;
      for (auto& acceptor : listeners->open.tcp) acceptor.close(ec);
      for (auto& acceptor : listeners->open.unix_sockets) acceptor.close(ec);
    });
    // At once, not on the strand: the io_context may stop before the post runs.
    for (const auto& path : listeners_->open.unix_paths) ::unlink(path.c_str());
  }
  state_->close_idle_connections();
}

std::size_t Server::connections() const { return state_->connections; }

std::vector<std::uint16_t> Server::tcp_ports() const {
  std::vector<std::uint16_t> ports;
  if (!listeners_) return ports;
  for (const auto& acceptor : listeners_->open.tcp) {
    boost::system::error_code ec;
    ports.push_back(acceptor.local_endpoint(ec).port());
  }
  return ports;
}

}  // namespace fical::agent::http
