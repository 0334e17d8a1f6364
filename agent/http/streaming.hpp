#pragma once
// Streamed responses (NDJSON events, chunked logs) for the connection coroutine; internal
// to agent/http and included only by session.cpp (templates over the stream type).
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <memory>

#include "agent/http/log_pump.hpp"
#include "agent/http/request_reading.hpp"
#include "agent/http/server_state.hpp"

namespace fical::agent::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

inline auto on_error(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr auto kMaxStreamDuration = std::chrono::hours(6);
constexpr std::size_t kMaxBufferedLogBytes = 1 << 20;

/// Whether the peer closed its side (or the socket failed), without consuming data.
template <class Stream>
bool peer_gone(Stream& stream) {
  char byte;
  auto fd = beast::get_lowest_layer(stream).socket().native_handle();
  auto got = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

template <class Stream>
net::awaitable<bool> write_head(Stream& stream, ServerState& state, const api::Response& response,
                                const std::string& request_id, unsigned version) {
  bhttp::response<bhttp::empty_body> head{bhttp::status::ok, version};
  head.set(bhttp::field::content_type, response.content_type);
  head.set(bhttp::field::cache_control, "no-store");
  head.set("X-Request-Id", request_id);
  head.keep_alive(false);
  head.chunked(version >= 11);  // HTTP/1.0 knows no chunks: the body ends when we close
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(state.options.read_timeout);
  co_await bhttp::async_write_header(stream, serializer, on_error(ec));
  co_return !ec;
}

/// A chunk of the body (the last, empty one ends it); raw bytes for an HTTP/1.0 peer.
template <class Stream>
net::awaitable<bool> write_chunk(Stream& stream, ServerState& state, const std::string& text, unsigned version) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(state.options.read_timeout);
  if (version < 11) {
    if (!text.empty()) co_await net::async_write(stream, net::buffer(text), on_error(ec));
  } else if (text.empty()) {
    co_await net::async_write(stream, bhttp::make_chunk_last(), on_error(ec));
  } else {
    co_await net::async_write(stream, bhttp::make_chunk(net::buffer(text)), on_error(ec));
  }
  co_return !ec;
}

/// GET /v1/deployments/{id}/events: replays the events, then polls for new ones until the
/// deployment ends, the client goes away, the server stops, or kMaxStreamDuration passes.
/// A watcher that does not read is dropped by the write deadline; the service never waits.
template <class Stream>
net::awaitable<void> stream_events(Stream& stream, ServerState& state, const std::string& id,
                                   const api::Response& response, const std::string& request_id,
                                   unsigned version) {
  if (!co_await write_head(stream, state, response, request_id, version)) co_return;
  net::steady_timer timer{co_await net::this_coro::executor};
  const auto give_up = std::chrono::steady_clock::now() + kMaxStreamDuration;
  std::uint64_t next = 0;
  for (;;) {
    Result<EventsPage> page = proto::ApiError{};
    try {
      page = state.deps.service.events(id, next);
    } catch (const std::exception& e) {
      spdlog::error("events({}) threw: {}", id, e.what());
      break;
    }
    if (!std::holds_alternative<EventsPage>(page)) break;
    const auto& found = std::get<EventsPage>(page);
    std::string lines;
    for (const auto& event : found.events) {
      lines += proto::to_json(event).dump();
      lines += '\n';
      next = std::max(next, event.seq + 1);
    }
    if (!lines.empty() && !co_await write_chunk(stream, state, lines, version)) co_return;
    if (found.ended || state.stopping || peer_gone(stream) ||
        std::chrono::steady_clock::now() > give_up) {
      break;
    }
    timer.expires_after(kPollInterval);
    beast::error_code ec;
    co_await timer.async_wait(on_error(ec));
  }
  co_await write_chunk(stream, state, {}, version);
}

/// GET .../logs: runs DeploymentService::logs on the log pool and streams what it writes.
/// An error before the first byte is answered as a JSON error instead.
template <class Stream>
net::awaitable<void> stream_logs(Stream& stream, ServerState& state, const LogsQuery& query,
                                 api::Response& response, const std::string& request_id,
                                 unsigned version) {
  if (++state.log_streams > state.max_log_streams) {
    --state.log_streams;
    auto route = std::move(response.route);
    auto token_id = std::move(response.token_id);
    response = api::error_response(proto::ErrorCode::unavailable, "too many log streams; retry later");
    response.route = std::move(route);
    response.token_id = std::move(token_id);
    beast::get_lowest_layer(stream).expires_after(state.options.read_timeout);
    beast::error_code ec;
    co_await bhttp::async_write(stream, to_beast_response(response, request_id, version, false),
                                on_error(ec));
    co_return;
  }
  auto pump = std::make_shared<LogPump>(kMaxBufferedLogBytes);
  net::post(state.log_pool, [pump, query, &state] {
    std::optional<proto::ApiError> failure;
    try {
      auto result = state.deps.service.logs(query, [&](std::string_view chunk) { return pump->push(chunk); });
      if (auto* error = std::get_if<proto::ApiError>(&result)) failure = *error;
    } catch (const std::exception& e) {
      failure = proto::ApiError{proto::ErrorCode::internal, "reading logs failed", {}};
      spdlog::error("logs() threw: {}", e.what());
    }
    pump->finish(failure);
    --state.log_streams;
  });
  net::steady_timer timer{co_await net::this_coro::executor};
  bool head_sent = false;
  for (;;) {
    auto taken = pump->take();
    if (!head_sent && taken.text.empty() && taken.finished && taken.error) {
      auto route = std::move(response.route);
      auto token_id = std::move(response.token_id);
      response = api::error_response(*taken.error);
      response.route = std::move(route);
      response.token_id = std::move(token_id);
      beast::error_code ec;
      beast::get_lowest_layer(stream).expires_after(state.options.read_timeout);
      co_await bhttp::async_write(stream, to_beast_response(response, request_id, version, false),
                                  on_error(ec));
      co_return;
    }
    if (!head_sent && (!taken.text.empty() || taken.finished)) {
      if (!co_await write_head(stream, state, response, request_id, version)) break;
      head_sent = true;
    }
    if (!taken.text.empty() && !co_await write_chunk(stream, state, taken.text, version)) break;
    if (taken.finished) {
      co_await write_chunk(stream, state, {}, version);
      co_return;
    }
    if (state.stopping || peer_gone(stream)) {
      if (head_sent) co_await write_chunk(stream, state, {}, version);
      break;
    }
    timer.expires_after(std::chrono::milliseconds(20));
    beast::error_code ec;
    co_await timer.async_wait(on_error(ec));
  }
  pump->stop();
}

}  // namespace fical::agent::http
