// Per-connection coroutine: read a request within limits, answer it, keep alive or close.
#include "agent/http/session.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <chrono>
#include <memory>

#include "agent/http/request_reading.hpp"
#include "agent/http/streaming.hpp"

namespace fical::agent::http {
namespace {

using tcp = net::ip::tcp;
using unix_socket = net::local::stream_protocol;
using TcpStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using UnixStream = beast::basic_stream<unix_socket>;

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

struct Peer {
  std::string text;     // for logs
  std::string address;  // for rate limiting
};

/// One connection's stream and whether it waits for (or reads) a request.
template <class Stream>
struct Connection {
  explicit Connection(Stream s) : stream(std::move(s)) {}
  Stream stream;
  bool waiting = true;  // touched only on the connection's strand
};

/// Decrements the connection count and removes the idle closer when the session ends.
struct SessionGuard {
  ServerState& state;
  std::uint64_t closer = 0;
  ~SessionGuard() {
    state.remove_idle_closer(closer);
    --state.connections;
  }
};

template <class Stream>
net::awaitable<bool> send(Stream& stream, ServerState& state, BeastResponse response) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(state.options.read_timeout);
  co_await bhttp::async_write(stream, response, on_error(ec));
  co_return !ec;
}

void log_access(const std::string& request_id, std::string_view method, const api::Response& response,
                std::chrono::steady_clock::time_point started, const Peer& peer) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started).count();
  spdlog::info("request_id={} method={} route={} status={} duration_ms={:.3f} token={} peer={}",
               request_id, method.substr(0, 16), response.route, response.status,
               static_cast<double>(micros) / 1000.0,
               response.token_id.empty() ? "-" : response.token_id, peer.text);
}

// Answers a request that could not be read; the connection closes after it.
template <class Stream>
net::awaitable<void> refuse(Stream& stream, ServerState& state, api::Response response,
                            unsigned version, std::string_view method,
                            std::chrono::steady_clock::time_point started, const Peer& peer) {
  response.route = "-";
  auto request_id = new_request_id();
  co_await send(stream, state, to_beast_response(response, request_id, version, false));
  api::count_request(state.deps.metrics, method, response);
  log_access(request_id, method, response, started, peer);
}

// Reads and answers one request; false when the connection must close.
template <class Stream>
net::awaitable<bool> serve_one(ServerState& state, Connection<Stream>& connection,
                               beast::flat_buffer& buffer, const Peer& peer) {
  auto& stream = connection.stream;
  const auto& options = state.options;
  beast::error_code ec;
  connection.waiting = true;
  if (buffer.size() == 0) {  // keep-alive: wait for the next request's first bytes
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    auto read = co_await stream.async_read_some(buffer.prepare(4096), on_error(ec));
    if (ec) co_return false;
    buffer.commit(read);
  }
  auto started = std::chrono::steady_clock::now();
  beast::get_lowest_layer(stream).expires_after(options.read_timeout);
  RequestParser parser;
  configure_parser(parser, {options.max_header_bytes, options.max_body_bytes});
  co_await bhttp::async_read_header(stream, buffer, parser, on_error(ec));
  auto version = parser.is_header_done() ? parser.get().version() : 11u;
  std::string method = parser.is_header_done() ? std::string(parser.get().method_string()) : "-";
  if (!ec && parser.is_header_done()) {
    if (auto bad = check_framing(parser.get())) {
      co_await refuse(stream, state, api::error_response(proto::ErrorCode::bad_request, *bad),
                      version, method, started, peer);
      co_return false;
    }
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue") && !parser.is_done()) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
      co_await bhttp::async_write(stream, go_on, on_error(ec));
    }
    if (!ec && !parser.is_done()) co_await bhttp::async_read(stream, buffer, parser, on_error(ec));
  }
  if (ec) {
    if (ec == bhttp::error::body_limit) {
      co_await refuse(stream, state,
                      api::error_response(proto::ErrorCode::payload_too_large,
                                          "the body exceeds " +
                                              std::to_string(options.max_body_bytes) + " bytes"),
                      version, method, started, peer);
    } else if (ec == bhttp::error::header_limit) {
      co_await refuse(stream, state,
                      api::error_response(proto::ErrorCode::bad_request,
                                          "the request header exceeds " +
                                              std::to_string(options.max_header_bytes) + " bytes"),
                      version, method, started, peer);
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      co_await refuse(stream, state,
                      api::error_response(proto::ErrorCode::bad_request, "malformed HTTP request"),
                      version, method, started, peer);
    }
    co_return false;  // timeouts, resets and closed connections end quietly
  }
  connection.waiting = false;

  const auto request_id = new_request_id();
  api::Response response;
  auto request = to_api_request(parser.get());
  if (!request) {
    response = api::error_response(proto::ErrorCode::bad_request,
                                   "the request target must be a path with an optional query");
  } else {
    request->peer = peer.text;
    request->peer_address = peer.address;
    request->request_id = request_id;
    if (request->method == "GET" || request->method == "HEAD") {
      response = api::handle(*request, state.deps);  // from memory: quick
    } else {
      response = co_await net::co_spawn(
          state.handler_pool, [&]() -> net::awaitable<api::Response> { co_return api::handle(*request, state.deps); },
          net::use_awaitable);
    }
  }
  bool keep_alive = parser.get().keep_alive() && !state.stopping;
  if (auto* events = std::get_if<api::EventStream>(&response.stream)) {
    co_await stream_events(stream, state, events->deployment_id, response, request_id, version);
    keep_alive = false;
  } else if (auto* logs = std::get_if<api::LogStream>(&response.stream)) {
    co_await stream_logs(stream, state, logs->query, response, request_id, version);
    keep_alive = false;
  } else {
    keep_alive = co_await send(stream, state,
                               to_beast_response(response, request_id, version, keep_alive)) &&
                 keep_alive;
  }
  api::count_request(state.deps.metrics, method, response);
  log_access(request_id, method, response, started, peer);
  co_return keep_alive;
}

// Ends the connection: TLS close_notify, or a half-close and a short drain so that the
// peer reads our last answer instead of a reset.
template <class Stream>
net::awaitable<void> close_connection(Stream& stream) {
  beast::error_code ec;
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(std::chrono::seconds(1));
  if constexpr (kIsTls<Stream>) {
    co_await stream.async_shutdown(on_error(ec));
  } else {
    lowest.socket().shutdown(net::socket_base::shutdown_send, ec);
    char scratch[512];
    while (!ec) co_await lowest.async_read_some(net::buffer(scratch), on_error(ec));
  }
  lowest.close();
}

template <class Stream>
net::awaitable<void> serve(ServerState& state, std::shared_ptr<Connection<Stream>> connection,
                           Peer peer) {
  SessionGuard guard{state};
  auto executor = co_await net::this_coro::executor;
  guard.closer = state.add_idle_closer([weak = std::weak_ptr(connection), executor] {
    net::post(executor, [weak] {
      auto alive = weak.lock();
      if (alive && alive->waiting) beast::get_lowest_layer(alive->stream).close();
    });
  });
  if constexpr (kIsTls<Stream>) {
    beast::error_code ec;
    beast::get_lowest_layer(connection->stream).expires_after(state.options.read_timeout);
    co_await connection->stream.async_handshake(net::ssl::stream_base::server, on_error(ec));
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  while (!state.stopping && co_await serve_one(state, *connection, buffer, peer)) {
  }
  co_await close_connection(connection->stream);
}

template <class Stream>
void spawn(ServerState& state, Stream stream, Peer peer) {
  auto executor = stream.get_executor();
  auto connection = std::make_shared<Connection<Stream>>(std::move(stream));
  net::co_spawn(executor, serve(state, std::move(connection), std::move(peer)),
                [](std::exception_ptr error) {
                  if (!error) return;
                  try {
                    std::rethrow_exception(error);
                  } catch (const std::exception& e) {
                    spdlog::error("connection ended by an exception: {}", e.what());
                  }
                });
}

Peer tcp_peer(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {"unknown", "unknown"};
  auto address = endpoint.address().to_string();
  auto text = endpoint.address().is_v6() ? "[" + address + "]" : address;
  return {text + ":" + std::to_string(endpoint.port()), address};
}

template <class Socket>
void reject_busy(ServerState& state, Socket socket, bool plain_http) {
  static const std::string kBusy = [] {
    std::string body = R"({"error":{"code":"unavailable","message":"too many connections"}})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  auto executor = socket.get_executor();
  auto stream = std::make_shared<beast::basic_stream<typename Socket::protocol_type>>(std::move(socket));
  state.deps.metrics.increment("fical_api_connections_refused_total");
  net::co_spawn(executor, [&state, stream, plain_http]() -> net::awaitable<void> {
    SessionGuard guard{state};
    beast::error_code ec;
    if (plain_http) {
      stream->expires_after(std::chrono::seconds(1));
      co_await net::async_write(*stream, net::buffer(kBusy), on_error(ec));
    }
    co_await close_connection(*stream);
  }, net::detached);
}

}  // namespace

void start_tcp_session(ServerState& state, tcp::socket socket) {
  auto peer = tcp_peer(socket);
  TcpStream tcp_stream(std::move(socket));
  if (state.tls) {
    spawn(state, TlsStream(std::move(tcp_stream), *state.tls), std::move(peer));
  } else {
    spawn(state, std::move(tcp_stream), std::move(peer));
  }
}

void start_unix_session(ServerState& state, unix_socket::socket socket) {
  spawn(state, UnixStream(std::move(socket)), Peer{"unix", "unix"});
}

void reject_busy_tcp(ServerState& state, tcp::socket socket) {
  reject_busy(state, std::move(socket), !state.tls);
}

void reject_busy_unix(ServerState& state, unix_socket::socket socket) {
  reject_busy(state, std::move(socket), true);
}

}  // namespace fical::agent::http
