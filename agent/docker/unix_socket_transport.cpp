// The Docker transport: HTTP/1.1 over a unix socket with Boost.Beast and C++20 coroutines,
// on an io_context this object owns and runs on its own thread. Callers block on futures;
// every socket operation has the call's deadline (basic_stream expiry, never blocking reads).
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/docker/docker_error.hpp"
#include "agent/docker/transport.hpp"
#include "agent/io_pch.hpp"

namespace fical::agent::docker {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = net::local::stream_protocol;
using Socket = beast::basic_stream<local>;
using Parser = http::response_parser<http::buffer_body>;
constexpr auto as_tuple_awaitable = net::as_tuple(net::use_awaitable);
constexpr std::size_t read_chunk_size = 64 * 1024;
constexpr std::size_t max_plain_body = 256 * 1024 * 1024;  // lists can be large; not unbounded
constexpr std::size_t max_idle_connections = 4;

/// One keep-alive connection to the daemon and its read buffer.
struct Connection {
  explicit Connection(net::io_context& io) : socket(io) {}
  Socket socket;
  beast::flat_buffer buffer;
};

class UnixSocketTransport;

/// A body being read; owns its connection until the end, then gives it back to the pool.
class BeastResponseStream : public ResponseStream {
 public:
  BeastResponseStream(UnixSocketTransport& owner, std::unique_ptr<Connection> connection,
                      std::unique_ptr<Parser> parser, std::string call,
                      Clock::time_point deadline)
      : owner_(owner), connection_(std::move(connection)), parser_(std::move(parser)),
        call_(std::move(call)), deadline_(deadline) {}
  ~BeastResponseStream() override;
  std::optional<std::string> next() override;

 private:
  UnixSocketTransport& owner_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<Parser> parser_;
  std::string call_;
  Clock::time_point deadline_;
};

/// The transport: a pool of idle connections, an io thread, and the coroutines that talk.
class UnixSocketTransport : public Transport {
 public:
  explicit UnixSocketTransport(std::string path)
      : path_(std::move(path)), work_(net::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

  ~UnixSocketTransport() override {
    net::post(io_, [this] { idle_.clear(); });
    work_.reset();
    thread_.join();
  }

  Response send(const Request& request, Clock::time_point deadline) override {
    std::unique_ptr<ResponseStream> stream;
    auto response = open(request, deadline, stream);
    if (!stream) return response;
    while (auto chunk = stream->next()) {
      if (response.body.size() + chunk->size() > max_plain_body) {
        throw DockerError(DockerErrorKind::malformed,
                          "docker: the answer to " + request.describe() + " is too large");
      }
      response.body += *chunk;
    }
    return response;
  }

  Response open(const Request& request, Clock::time_point deadline,
                std::unique_ptr<ResponseStream>& stream) override {
    auto opened = net::co_spawn(io_, open_on_io(request, deadline), net::use_future).get();
    auto& [response, connection, parser] = opened;
    if (response.status >= 200 && response.status < 300) {
      stream = std::make_unique<BeastResponseStream>(*this, std::move(connection),
                                                     std::move(parser), request.describe(),
                                                     deadline);
      return std::move(response);
    }
    BeastResponseStream error_body(*this, std::move(connection), std::move(parser),
                                   request.describe(), deadline);
    while (auto chunk = error_body.next()) {
      if (response.body.size() < 64 * 1024) response.body += *chunk;
    }
    return std::move(response);
  }

  std::uint64_t broken_connections() const override { return broken_.load(); }

  /// Reads the next body bytes on the io thread.
  std::optional<std::string> read_chunk(Connection& c, Parser& p, const std::string& call,
                                        Clock::time_point deadline) {
    return net::co_spawn(io_, read_chunk_on_io(c, p, call, deadline), net::use_future).get();
  }

  /// Back to the pool when reusable, else closed; always destroyed on the io thread.
  void release(std::unique_ptr<Connection> c, bool reusable) {
    net::post(io_, [this, c = std::move(c), reusable]() mutable {
      if (reusable && c->buffer.size() == 0 && idle_.size() < max_idle_connections) {
        idle_.push_back(std::move(c));
      }
    });
  }

 private:
  using Opened = std::tuple<Response, std::unique_ptr<Connection>, std::unique_ptr<Parser>>;

  DockerError failure(const std::string& call, beast::error_code ec) {
    if (ec == beast::error::timeout) {
      return DockerError(DockerErrorKind::timeout,
                         "docker: " + call + " on " + path_ + " did not finish before its deadline");
    }
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return DockerError(DockerErrorKind::malformed,
                         "docker: bad HTTP answer to " + call + ": " + ec.message());
    }
    broken_++;
    return DockerError(DockerErrorKind::unreachable,
                       "docker: connection to " + path_ + " failed during " + call + ": " +
                           ec.message());
  }

  net::awaitable<std::unique_ptr<Connection>> connect(Clock::time_point deadline) {
    auto c = std::make_unique<Connection>(io_);
    local::endpoint endpoint;
    try {
      endpoint = local::endpoint(path_);
    } catch (const std::exception& e) {
      throw DockerError(DockerErrorKind::unreachable,
                        "docker: bad socket path " + path_ + ": " + e.what());
    }
    c->socket.expires_at(deadline);
    auto [ec] = co_await c->socket.async_connect(endpoint, as_tuple_awaitable);
    if (ec == beast::error::timeout) {
      throw DockerError(DockerErrorKind::timeout,
                        "docker: connecting to " + path_ + " did not finish before its deadline");
    }
    if (ec) {
      broken_++;
      throw DockerError(DockerErrorKind::unreachable,
                        "docker: cannot connect to the Docker daemon at " + path_ + ": " +
                            ec.message() + " (is dockerd running?)");
    }
    co_return c;
  }

  net::awaitable<Opened> open_on_io(const Request& request, Clock::time_point deadline) {
    http::request<http::string_body> req;
    req.method_string(request.method);
    req.target(request.target);
    req.version(11);
    req.set(http::field::host, "docker");
    for (const auto& [name, value] : request.headers) req.set(name, value);
    req.body() = request.body;
    req.prepare_payload();
    auto call = request.describe();
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> c;
      if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
      } else {
        c = co_await connect(deadline);
        attempt = 1;  // a fresh connection that fails is not retried
      }
      c->socket.expires_at(deadline);
      auto [write_ec, written] = co_await http::async_write(c->socket, req, as_tuple_awaitable);
      (void)written;
      auto parser = std::make_unique<Parser>();
      parser->body_limit(boost::none);
      parser->header_limit(64 * 1024);
      beast::error_code ec = write_ec;
      if (!ec) std::tie(ec, std::ignore) = co_await http::async_read_header(
                   c->socket, c->buffer, *parser, as_tuple_awaitable);
      // A kept-alive connection the daemon closed meanwhile (it restarted): nothing was
      // processed, so one retry on a fresh connection is safe.
      bool stale = write_ec || ec == http::error::end_of_stream || ec == net::error::eof ||
                   ec == net::error::connection_reset || ec == net::error::broken_pipe;
      if (ec && stale && attempt == 0 && ec != beast::error::timeout) {
        broken_++;
        continue;
      }
      if (ec) throw failure(call, ec);
      Response response;
      response.status = static_cast<int>(parser->get().result_int());
      for (const auto& field : parser->get()) {
        std::string name(field.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        response.headers[name] = std::string(field.value());
      }
      co_return Opened{std::move(response), std::move(c), std::move(parser)};
    }
  }

  net::awaitable<std::optional<std::string>> read_chunk_on_io(Connection& c, Parser& p,
                                                              const std::string& call,
                                                              Clock::time_point deadline) {
    std::string out(read_chunk_size, '\0');
    while (!p.is_done()) {
      p.get().body().data = out.data();
      p.get().body().size = out.size();
      c.socket.expires_at(deadline);
      auto [ec, n] = co_await http::async_read_some(c.socket, c.buffer, p, as_tuple_awaitable);
      (void)n;
      if (ec == http::error::need_buffer) ec = {};
      if (ec) throw failure(call, ec);
      auto got = out.size() - p.get().body().size;
      if (got > 0) {
        out.resize(got);
        co_return out;
      }
    }
    co_return std::nullopt;
  }

  std::string path_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::vector<std::unique_ptr<Connection>> idle_;  // touched only on the io thread
  std::atomic<std::uint64_t> broken_{0};
  std::thread thread_;
};

BeastResponseStream::~BeastResponseStream() {
  if (connection_) owner_.release(std::move(connection_), false);
}

std::optional<std::string> BeastResponseStream::next() {
  if (!connection_) return std::nullopt;
  try {
    auto chunk = owner_.read_chunk(*connection_, *parser_, call_, deadline_);
    // A body that ended with the connection (a hijacked exec stream: Docker half-closes it)
    // leaves nothing to reuse, whatever the headers said.
    if (!chunk) {
      owner_.release(std::move(connection_), parser_->get().keep_alive() && !parser_->need_eof());
    }
    return chunk;
  } catch (...) {
    owner_.release(std::move(connection_), false);
    throw;
  }
}

}  // namespace

std::unique_ptr<Transport> make_unix_socket_transport(std::string socket_path) {
  return std::make_unique<UnixSocketTransport>(std::move(socket_path));
}

}  // namespace fical::agent::docker
