// The server's streamed responses over real loopback sockets: NDJSON events to many
// concurrent watchers until the deployment ends, chunked logs, an error before the first
// log byte, and event streams ended by shutdown. The deployment engine does not exist
// yet, so a small scripted DeploymentService stands in for it.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "agent/api/token_hash.hpp"
#include "agent/http/server.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace fical::agent;
namespace proto = fical::proto;
using namespace std::chrono_literals;

namespace {

/// Deployment "d-1" gains an event every 10 ms, ten in all, then ends; "d-live" never ends.
class ScriptedService final : public DeploymentService {
 public:
  std::vector<proto::AppSummary> apps() override { return {}; }
  Result<proto::EnvStatus> env_status(const std::string&, const std::string&) override { return proto::EnvStatus{}; }
  Result<std::vector<proto::Release>> releases(const std::string&, const std::string&) override { return std::vector<proto::Release>{}; }
  Result<std::vector<proto::Deployment>> deployments(const std::string&, const std::string&, std::size_t) override {
    return unavailable();
  }
  Result<proto::Deployment> deploy(const DeployCommand&) override { return unavailable(); }
  Result<proto::Deployment> rollback(const RollbackCommand&) override { return unavailable(); }
  Result<proto::Deployment> promote(const PromoteCommand&) override { return unavailable(); }
  Result<proto::Deployment> deployment(const std::string&) override { return unavailable(); }
  Result<proto::Deployment> cancel(const std::string&, const Actor&) override {
    std::unique_lock lock(mutex_);  // as a write that waits on a registry would
    ++cancels_waiting;
    released_.wait_for(lock, 20s, [this] { return release_cancels; });
    return unavailable();
  }
  void release() {
    std::lock_guard lock(mutex_);
    release_cancels = true;
    released_.notify_all();
  }
  std::atomic<int> cancels_waiting{0};
  Result<EventsPage> events(const std::string& id, std::uint64_t from) override {
    if (id != "d-1" && id != "d-live") return proto::ApiError{proto::ErrorCode::not_found, "no", {}};
    EventsPage page;
    auto available = id == "d-1" ? std::min<std::uint64_t>(10, elapsed() / 10) : 0;
    for (auto seq = from; seq < available; ++seq) {
      proto::Event event;
      event.seq = seq;
      event.message = "step " + std::to_string(seq);
      page.events.push_back(event);
    }
    page.ended = id == "d-1" && available == 10;
    return page;
  }
  Result<bool> logs(const LogsQuery& query, const std::function<bool(std::string_view)>& sink) override {
    if (query.service == "missing") return proto::ApiError{proto::ErrorCode::not_found, "no service", {}};
    for (int i = 0; i < 3 && sink("line " + std::to_string(i) + "\n"); ++i) std::this_thread::sleep_for(5ms);
    return true;
  }
  Health health() override { return {.docker = true, .reconciled = true}; }
  Result<nlohmann::json> canary_status(const std::string&, const std::string&) override { return unavailable(); }
  Result<nlohmann::json> canary_command(const std::string&, const std::string&, CanaryAction, const Actor&) override {
    return unavailable();
  }

 private:
  static proto::ApiError unavailable() { return {proto::ErrorCode::unavailable, "no", {}}; }
  std::mutex mutex_;
  std::condition_variable released_;
  bool release_cancels = false;
  std::uint64_t elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
  }
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// A real Server on 127.0.0.1 (port 0) running on its own threads.
struct RunningServer {
  ScriptedService service;
  api::Authenticator authenticator{{{"t", api::sha256_hex("secret"), {config::Scope::read}, {}},
                                    {"w", api::sha256_hex("writer"), {config::Scope::deploy}, {}}}};
  api::FailureLimiter limiter{100, 60s};
  api::MetricsRegistry metrics;
  api::NoAuditSink audit;
  api::Deps deps{service, authenticator, limiter, metrics, audit};
  net::io_context io;
  std::unique_ptr<http::Server> server;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;

  RunningServer() {
    config::HttpOptions options;
    config::ListenAddress address;
    address.host = "127.0.0.1";
    address.text = "127.0.0.1:0";
    options.listen.push_back(address);
    server = std::make_unique<http::Server>(io, options, deps);
    server->listen();
    server->start();
    port = server->tcp_ports().at(0);
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~RunningServer() {
    net::post(io, [this] { server->stop(); });
    auto give_up = std::chrono::steady_clock::now() + 5s;
    while (server->connections() > 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(10ms);
    io.stop();
    for (auto& thread : threads) thread.join();
  }
};

bhttp::response<bhttp::string_body> get(std::uint16_t port, const std::string& target, unsigned version = 11) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.expires_after(10s);
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, version};
  request.set(bhttp::field::host, "test");
  request.set(bhttp::field::authorization, "Bearer secret");
  bhttp::write(stream, request);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1 << 20);
  beast::error_code ec;
  bhttp::read(stream, buffer, parser, ec);
  return parser.release();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("many watchers each get every event in order, and the stream ends with the deployment") {
  RunningServer running;
  std::vector<std::thread> watchers;
  std::mutex mutex;
  std::vector<std::vector<std::string>> seen;
  for (int i = 0; i < 20; ++i) {
    watchers.emplace_back([&] {
      auto response = get(running.port, "/v1/deployments/d-1/events");
      std::lock_guard lock(mutex);
      CHECK(response.result_int() == 200);
      CHECK(response[bhttp::field::content_type] == "application/x-ndjson");
      seen.push_back(lines(response.body()));
    });
  }
  for (auto& watcher : watchers) watcher.join();
  REQUIRE(seen.size() == 20);
  for (const auto& events : seen) {
    REQUIRE(events.size() == 10);
    for (std::size_t i = 0; i < events.size(); ++i) {
      auto event = proto::event_from_json(nlohmann::json::parse(events[i]));
      CHECK(event.seq == i);
      CHECK(event.message == "step " + std::to_string(i));
    }
  }
  CHECK(get(running.port, "/v1/deployments/d-9/events").result_int() == 404);
}

TEST_CASE("an HTTP/1.0 client gets the streams unchunked, ended by the close") {
  RunningServer running;
  auto events = get(running.port, "/v1/deployments/d-1/events", 10);
  CHECK(events.result_int() == 200);
  CHECK(events.version() == 10);
  CHECK_FALSE(events.chunked());
  CHECK(events[bhttp::field::transfer_encoding].empty());
  CHECK(lines(events.body()).size() == 10);
  auto logs = get(running.port, "/v1/apps/web/envs/staging/logs?service=app&tail=3", 10);
  CHECK_FALSE(logs.chunked());
  CHECK(logs.body() == "line 0\nline 1\nline 2\n");
  CHECK(get(running.port, "/v1/deployments/d-1/events").chunked());  // HTTP/1.1 still chunks
}

TEST_CASE("logs stream as chunked text, an error before the first byte is a JSON error") {
  RunningServer running;
  auto response = get(running.port, "/v1/apps/web/envs/staging/logs?service=app&tail=3");
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "line 0\nline 1\nline 2\n");
  auto missing = get(running.port, "/v1/apps/web/envs/staging/logs?service=missing");
  CHECK(missing.result_int() == 404);
  CHECK(missing.body().find("no service") != std::string::npos);
}

TEST_CASE("shutdown ends an event stream of a deployment that goes on") {
  auto running = std::make_unique<RunningServer>();
  std::atomic<bool> ended{false};
  std::atomic<int> status{0};  // Catch's assertions are not thread-safe: checked on this thread
  std::thread watcher([&] {
    status = get(running->port, "/v1/deployments/d-live/events").result_int();
    ended = true;
  });
  std::this_thread::sleep_for(200ms);
  CHECK_FALSE(ended);
  auto started = std::chrono::steady_clock::now();
  running.reset();  // stop(), wait for connections, stop the io_context
  watcher.join();
  CHECK(ended);
  CHECK(status == 200);
  CHECK(std::chrono::steady_clock::now() - started < 3s);
}

TEST_CASE("writes that block run off the io threads: reads keep answering") {
  RunningServer running;  // two io threads
  auto post_cancel = [&] {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), running.port));
    stream.expires_after(30s);
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, "/v1/deployments/d-1/cancel", 11};
    request.set(bhttp::field::host, "test");
    request.set(bhttp::field::authorization, "Bearer writer");
    request.prepare_payload();
    bhttp::write(stream, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    beast::error_code ec;
    bhttp::read(stream, buffer, response, ec);
    return static_cast<int>(response.result_int());
  };
  std::vector<std::future<int>> writes;
  for (int i = 0; i < 3; ++i) writes.push_back(std::async(std::launch::async, post_cancel));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (running.service.cancels_waiting < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  REQUIRE(running.service.cancels_waiting == 3);  // more blocked writes than io threads
  auto started = std::chrono::steady_clock::now();
  auto health = get(running.port, "/healthz");
  auto apps = get(running.port, "/v1/apps");
  auto took = std::chrono::steady_clock::now() - started;
  running.service.release();
  CHECK(health.result_int() == 200);
  CHECK(apps.result_int() == 200);
  CHECK(took < 2s);
  for (auto& write : writes) CHECK(write.get() == 503);  // each answered once released
}
