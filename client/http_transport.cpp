// The client's only Asio/Beast file (compiled with the shared I/O precompiled header).
#include "client/http_transport.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "proto/ca_bundle.hpp"

namespace fical::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;
using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace net::experimental::awaitable_operators;

constexpr std::size_t kMaxBodyBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

/// Thrown inside the coroutine; carries what kind of failure it was.
struct Failure {
  TransportError::Kind kind;
  std::string message;
};

milliseconds until(const Timeouts& t, milliseconds cap) {
  auto left = std::chrono::duration_cast<milliseconds>(t.deadline - Steady::now());
  if (t.deadline == Timeouts::SteadyTime::max()) return cap;
  if (left <= milliseconds::zero()) throw Failure{TransportError::Kind::timeout, "deadline passed"};
  return std::min(cap, left);
}

template <typename Stream>
auto& lowest(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

void check(const boost::system::error_code& ec, TransportError::Kind kind, const std::string& what) {
  if (!ec) return;
  if (ec == beast::error::timeout) throw Failure{TransportError::Kind::timeout, what + ": timed out"};
  throw Failure{kind, what + ": " + ec.message()};
}

/// Writes the request and reads the answer; a 2xx body goes to `sink` when there is one.
template <typename Stream>
net::awaitable<HttpResponse> talk(Stream& stream, const HttpRequest& request,
                                  const std::string& host, const Timeouts& t,
                                  const ChunkSink* sink) {
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "fical-client");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.keep_alive(false);
  req.prepare_payload();

  lowest(stream).expires_after(until(t, t.idle));
  auto [write_ec, written] = co_await http::async_write(stream, req, net::as_tuple(net::use_awaitable));
  check(write_ec, TransportError::Kind::broken, "sending the request");

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(boost::none);
  lowest(stream).expires_after(until(t, t.idle));
  auto [head_ec, head_bytes] =
      co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  check(head_ec, TransportError::Kind::broken, "reading the answer");

  HttpResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.content_type = std::string(parser.get()[http::field::content_type]);
  bool to_sink = sink != nullptr && response.status >= 200 && response.status < 300;
  std::array<char, 16 * 1024> chunk{};
  // Not eager: the parser stops after each chunk, so a streamed event is handed over when
  // it arrives instead of after the next chunk's header (a whole health gate later).
  parser.eager(false);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    lowest(stream).expires_after(until(t, t.idle));
    // read_some hands over what has arrived (a streamed event) instead of waiting to fill
    // the buffer; the idle deadline therefore applies to each arrival.
    auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (ec == http::error::need_buffer) ec = {};
    check(ec, TransportError::Kind::broken, "reading the answer");
    std::string_view got(chunk.data(), chunk.size() - parser.get().body().size);
    if (to_sink) {
      if (!got.empty() && !(*sink)(got)) break;
    } else {
      response.body.append(got);
      if (response.body.size() > kMaxBodyBytes) {
        throw Failure{TransportError::Kind::broken, "the answer is larger than 64 MB"};
      }
    }
  }
  co_return response;
}

net::awaitable<tcp::resolver::results_type> resolve(const AgentUrl& url, const Timeouts& t) {
  auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  net::steady_timer timer(executor, until(t, t.connect));
  auto result = co_await (resolver.async_resolve(url.host, std::to_string(url.port),
                                                 net::as_tuple(net::use_awaitable)) ||
                          timer.async_wait(net::use_awaitable));
  if (result.index() == 1) {
    throw Failure{TransportError::Kind::unreachable, "resolving " + url.host + ": timed out"};
  }
  auto [ec, endpoints] = std::get<0>(std::move(result));
  check(ec, TransportError::Kind::unreachable, "resolving " + url.host);
  co_return endpoints;
}

net::awaitable<HttpResponse> over_tcp(const AgentUrl& url, const HttpRequest& request,
                                      const Timeouts& t, const ChunkSink* sink) {
  auto endpoints = co_await resolve(url, t);
  beast::tcp_stream stream(co_await net::this_coro::executor);
  stream.expires_after(until(t, t.connect));
  auto [ec, endpoint] = co_await stream.async_connect(endpoints, net::as_tuple(net::use_awaitable));
  check(ec, TransportError::Kind::unreachable, "connecting");
  co_return co_await talk(stream, request, url.host_header(), t, sink);
}

net::awaitable<HttpResponse> over_tls(const AgentUrl& url, const std::string& ca_file,
                                      const HttpRequest& request, const Timeouts& t,
                                      const ChunkSink* sink) {
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  // --ca-file, else the host's bundle (proto/ca_bundle.hpp), else OpenSSL's defaults.
  std::string bundle = ca_file.empty() ? proto::system_ca_bundle().value_or("") : ca_file;
  if (bundle.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(bundle, ec);
  }
  if (ec) {
    throw Failure{TransportError::Kind::tls,
                  "loading CA certificates" + (bundle.empty() ? "" : " from " + bundle) + ": " +
                      ec.message()};
  }
  auto endpoints = co_await resolve(url, t);
  beast::ssl_stream<beast::tcp_stream> stream(co_await net::this_coro::executor, context);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    throw Failure{TransportError::Kind::tls, "setting the TLS server name"};
  }
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  lowest(stream).expires_after(until(t, t.connect));
  auto [connect_ec, endpoint] =
      co_await lowest(stream).async_connect(endpoints, net::as_tuple(net::use_awaitable));
  check(connect_ec, TransportError::Kind::unreachable, "connecting");
  lowest(stream).expires_after(until(t, t.connect));
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client,
                                                        net::as_tuple(net::use_awaitable));
  check(handshake_ec, TransportError::Kind::tls, "TLS handshake");
  co_return co_await talk(stream, request, url.host_header(), t, sink);
}

net::awaitable<HttpResponse> over_unix(const AgentUrl& url, const HttpRequest& request,
                                       const Timeouts& t, const ChunkSink* sink) {
  beast::basic_stream<local> stream(co_await net::this_coro::executor);
  stream.expires_after(until(t, t.connect));
  auto [ec] = co_await stream.async_connect(local::endpoint(url.socket_path),
                                            net::as_tuple(net::use_awaitable));
  check(ec, TransportError::Kind::unreachable, "connecting");
  co_return co_await talk(stream, request, url.host_header(), t, sink);
}

}  // namespace

BeastTransport::BeastTransport(AgentUrl url, std::string ca_file)
    : url_(std::move(url)), ca_file_(std::move(ca_file)) {}

HttpResponse BeastTransport::send(const HttpRequest& request, const Timeouts& timeouts) {
  return exchange(request, timeouts, nullptr);
}

HttpResponse BeastTransport::stream(const HttpRequest& request, const Timeouts& timeouts,
                                    const ChunkSink& sink) {
  return exchange(request, timeouts, &sink);
}

HttpResponse BeastTransport::exchange(const HttpRequest& request, const Timeouts& timeouts,
                                      const ChunkSink* sink) {
  net::io_context context;
  HttpResponse response;
  std::exception_ptr failure;
  auto run = [&]() -> net::awaitable<void> {
    switch (url_.scheme) {
      case AgentUrl::Scheme::unix_socket:
        response = co_await over_unix(url_, request, timeouts, sink);
        break;
      case AgentUrl::Scheme::https:
        response = co_await over_tls(url_, ca_file_, request, timeouts, sink);
        break;
      case AgentUrl::Scheme::http:
        response = co_await over_tcp(url_, request, timeouts, sink);
        break;
    }
  };
  net::co_spawn(context, run, [&](std::exception_ptr e) { failure = e; });
  context.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Failure& f) {
      throw TransportError(f.kind, url_.display() + ": " + f.message);
    } catch (const boost::system::system_error& e) {
      throw TransportError(TransportError::Kind::broken, url_.display() + ": " + e.what());
    }
  }
  return response;
}

}  // namespace fical::client
